// Package store is the hub's persistence: one mailbox per principal, and a
// small registry, on NATS JetStream. By default it runs an embedded
// nats-server in the process, with no network listener, storing files under
// Options.Dir; with Options.URL it uses an external server instead.
//
// # Mailboxes
//
// All mail is in one work-queue stream, MAIL. Message (owner, id) is stored
// on subject mail.<owner>.<ref>, where ref is an HMAC of owner and id under a
// key derived from the root key, so neither the ID nor its reuse across
// owners appears on disk. Each owner has a durable pull consumer on
// mail.<owner>.*; the filters of different owners never overlap. Get, Ack
// and the duplicate check find a message by its subject, with no index in
// memory, so they work the same after a restart. Put publishes with
// Nats-Msg-Id = ref (the two-minute duplicate window) and an expected last
// subject sequence of zero (at most one stored copy, however late the
// retry), and with a per-message TTL so JetStream itself drops the message at
// its expiry; the stream's MaxAge is MaxTTL and it refuses new mail when full
// rather than dropping accepted mail. The store also enforces expiry by its
// own clock, Options.Now: nothing expired is ever returned.
//
// # At rest
//
// Keys form a hierarchy, each level wrapping the next with
// XChaCha20-Poly1305 and additional data naming where the sealed record
// belongs:
//
//	RootKey (never stored) --HKDF-SHA256--> epoch KEK, ref key, registry key
//	epoch KEK  wraps  an epoch key per Epoch     (bucket bc_epochs)
//	epoch key  wraps  a message key per message  (bucket bc_keys)
//	message key seals ID, From, Kind, times and Body (stream MAIL)
//
// Ack erases the stored message and then destroys its key; Sweep (on Open,
// then every minute) does the same for expired messages and destroys each
// epoch key once Epoch+MaxTTL have passed since its epoch began, when every
// message key it wrapped has expired. Destroying uses JetStream's secure
// delete, which overwrites the record in its block file with random bytes.
// This is crypto-shredding: a message is gone when a key it needs is gone.
//
// # Limits
//
// What this does not do, stated plainly:
//
//   - Bytes remain on the medium. Secure delete overwrites a record where
//     the file system lets it, but copies made by SSD wear levelling,
//     journalling or snapshots, and records JetStream removes by TTL, MaxAge
//     or history limits without overwriting, stay until the storage reuses
//     them. What protects shredded data is that the keys are destroyed.
//   - A message key destroyed by overwrite may survive in such a copy, still
//     wrapped by its epoch key; the message is then unreadable only once
//     that epoch key is destroyed too, up to Epoch+MaxTTL later.
//   - Whoever holds RootKey and a disk image taken before an epoch key was
//     destroyed can read that epoch's messages that were not yet deleted
//     when the image was taken. Registry values stay readable with RootKey
//     as long as their bytes remain.
//   - Owners, message sizes, arrival times and expiry times are visible on
//     disk; IDs, senders, kinds and bodies are not.
//   - With one replica JetStream writes each message to the kernel before
//     acknowledging it, so a killed process loses nothing it accepted; a
//     power failure can lose the last seconds unless Options.SyncAlways
//     makes it fsync first. With Options.URL these properties are the
//     external server's.
//
// The embedded server's logs go to Options.Logger; its trace level, the only
// one that logs payloads, is never enabled.
package store
