# The image the CI template runs by default (registry.gitlab.com/wowctl/wowctl).
# Stage 1 builds a static musl binary; stage 2 is a small Alpine with a shell,
# because GitLab's runner runs the job's `script:` through a shell in the image.
# Build: docker build -t wowctl .   (the project's CI does it on tags)

FROM rust:1-alpine AS build
# musl-dev: the C runtime and linker bits for the musl target (ring needs a C compiler).
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# Cargo.toml names tests/integration/main.rs; cargo wants the file present.
COPY tests ./tests
RUN cargo build --release --locked \
    && ./target/release/wowctl --version

FROM alpine:3.22
# ca-certificates: for whatever else a job runs over TLS (curl, git). wowctl itself
# carries Mozilla's roots (webpki-roots) and reads CI_SERVER_TLS_CA_FILE for a
# private CA. A fixed non-root user: the runner's default umask leaves the checkout
# writable for it.
RUN apk add --no-cache ca-certificates \
    && adduser -D -H -u 10001 wowctl
COPY --from=build /src/target/release/wowctl /usr/local/bin/wowctl
USER 10001
# No entrypoint: GitLab runs `sh -c <script>` in the image; an ENTRYPOINT
# would swallow it. Run by hand: docker run --rm wowctl wowctl demo
ENTRYPOINT []
CMD ["wowctl", "--help"]
