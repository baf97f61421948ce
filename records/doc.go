// Package records keeps what bytewatch must remember between restarts: a
// record of every question (when, where, from which entry point, a salted
// hash of who asked, the question unless STORE_QUESTIONS=false, how it
// ended, the facts it cited, the index version, the mode and the latency),
// the 👍/👎 votes on answers with their reasons, and per-server settings.
//
// A Store is the database: SQLite (OpenSQLite, a pure-Go driver, one file)
// by default and PostgreSQL (OpenPostgres, pgx) when several processes
// share the records. Both have the same schema, created and upgraded by
// versioned migrations embedded per dialect and applied when the store
// opens. A Recorder stands between the answering path and the Store: it
// hashes user ids with the database's salt, gives every write a deadline
// and drops (logs and counts) a record the database cannot take, so that a
// database that is down or full never holds up an answer. BuildReport turns
// the records of a period into the moderators' report; AnsweredQuestions
// lists the questions /ask suggests to other people in a server.
//
// The package never imports discordgo: commands/ and bot/ consume it.
package records
