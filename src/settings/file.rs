//! `.wow.yml`, parsed strictly: unknown keys, wrong types and bad values are errors
//! naming key, value and line. Pure: `parse(&str)`. STUB.
