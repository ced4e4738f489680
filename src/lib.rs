//! voter-lookup: the server (being written).
