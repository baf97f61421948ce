// Package commands implements bytewatch's slash commands — /ask, /chart,
// /sources, /reindex, /source, /help and /about — and their buttons and
// forms as Handlers routed by a Router, with the
// cross-cutting parts as Middleware: Logging (one line per command),
// Recover (a panic still gets a reply), RateLimit (per user) and Defer
// (acknowledge at once, answer later). Buttons under answers (Chart,
// Follow up) are routed by custom_id prefix, and /ask's autocomplete by a
// Suggester over the knowledge's questions.
//
// Every message the package sends goes through REST, which bounds each call
// with a deadline, waits out Discord's rate limits only as long as that
// deadline allows, and sets allowed_mentions so that no answer can ever ping
// anyone. Answers are laid out by RenderAnswer within Discord's limits; the
// bot package renders message replies with the same function.
//
// The package needs only small interfaces of the answering side (Answerer,
// Reindexer, IndexStatus, and for /source SourceStore and ArticleDrafter),
// so knowledge, index and answer never see discordgo. /source's changes
// and refusals are posted in the audit channel by Audit.
package commands
