// Package desk is the analysts' desk: an index of the articles and alerts
// in the ARTICLES and ALERTS streams (a read model: the streams are the
// truth, the index can be deleted and rebuilt), and the console and JSON
// API over it: live alerts, filters, full-text search, article pages,
// trends with spikes marked, "try a rule" backtests, and analysts'
// feedback on alerts.
//
// The index sits behind the Index interface; OpenSQLite gives the embedded
// implementation (modernc.org/sqlite, full text by package fulltext in the
// same file). The Indexer follows the
// streams through the Follower interface from the last sequence the index
// stored for each, so a desk killed mid-batch resumes where its last
// committed batch ended, and stores every message once. Reaching NATS is
// left to pipeline/bus, wired in cmd/desk.
//
// Access: the console is open on a loopback address; anywhere else it needs
// a users file (bcrypt hashes, roles reader and editor), logins hold a
// signed session cookie, and every POST carries a CSRF token.
package desk
