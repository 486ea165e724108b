# The image the CI template runs by default: registry.gitlab.com/wowctl/wowctl:<version>,
# where <version> is Cargo.toml's (the template of that version names it).
#
# It holds the very binary attached to the release, target/dist/wowctl-x86_64-linux
# from .ci/build-static: statically linked, it needs nothing from the image. Alpine is
# there for the shell GitLab's runner runs a job's `script:` with, and for the CA
# bundle other tools in a job may want (wowctl carries Mozilla's roots itself and
# reads CI_SERVER_TLS_CA_FILE for a private CA).
#
# No RUN step: the release pipeline builds this with Buildah on an ordinary
# (unprivileged) runner, and a build that runs nothing needs no container runtime.
#
#   .ci/build-static && docker build -t wowctl .        # by hand
#   docker run --rm wowctl wowctl demo
ARG BASE_IMAGE=alpine:3.22
FROM ${BASE_IMAGE}

# OCI labels; the release pipeline passes the tag, commit, time and project URL.
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://gitlab.com/wowctl/wowctl
LABEL org.opencontainers.image.title="wowctl" \
      org.opencontainers.image.description="Rotates a team's weekly GitLab milestones, audits labels and writes a report, as a GitLab CI job" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.documentation="${SOURCE}/-/blob/${VERSION}/docs/ci.md" \
      org.opencontainers.image.licenses="MIT"

COPY --chmod=0755 target/dist/wowctl-x86_64-linux /usr/local/bin/wowctl

# A fixed non-root user (no passwd entry needed for a numeric id). The runner's
# default umask leaves the checkout writable for it, so wow-report/ can be written.
USER 10001
# No entrypoint: GitLab runs `sh -c <script>` in the image; an ENTRYPOINT would
# swallow it.
ENTRYPOINT []
CMD ["wowctl", "--help"]
