//! The contract every adapter must pass: the same tests run against SQLite and
//! PostgreSQL through [`store_contract_tests!`](crate::store_contract_tests).
