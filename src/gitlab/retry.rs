//! How long to wait before retrying, from the response headers and the attempt
//! number. Pure. STUB.
