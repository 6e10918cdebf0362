// Package store is the hub's persistence: one mailbox per principal, and a
// small registry, on NATS JetStream. By default it runs an embedded
// nats-server in the process, with no network listener, storing files under
// Options.Dir; with Options.URL it uses an external server instead.
//
// # Mailboxes
//
// All mail is in one work-queue stream, MAIL. Every message of one owner is
// stored on the owner's subject, mail.<owner>.m; the message's reference,
// an HMAC of owner and id under a key derived from the root key, travels in
// its Bc-Ref header, so neither the ID nor its reuse across owners appears
// on disk. One subject per owner, not per message, keeps JetStream's
// per-subject state (a tree node per subject) small however much mail is
// stored, and no Nats-Msg-Id keeps its duplicate window (two objects per
// message) empty: both were most of the live heap, which every garbage
// collection traces.
//
// Get, Ack and the duplicate check find a message through an index in
// memory, reference -> stream sequence, with keys and values the garbage
// collector does not scan. Open builds it from the stream (it is the first
// Sweep), Put adds to it, and every Sweep mends it: it drops entries whose
// record JetStream removed by itself (TTL, MaxAge), adds a record the index
// lacks, and of two copies of one message keeps the first. A reference names
// its owner and a sequence is never reused, so a stale entry can lead only
// to nothing. The duplicate check finds any stored copy, however late the
// retry, and, for the duplicate window (two minutes from the first Put), a
// copy since acknowledged; Puts of one message at once take turns. Put
// publishes with a per-message TTL so JetStream itself drops the message at
// its expiry; the stream's MaxAge is MaxTTL and it refuses new mail when
// full rather than dropping accepted mail. The store also enforces expiry by
// its own clock, Options.Now: nothing expired is ever returned. (Records
// written before this layout, on per-message subjects mail.<owner>.<ref>
// with the reference as Nats-Msg-Id, are read alike.)
//
// A Put is one acknowledged JetStream write. Acks are removed in batches
// (see acks.go): a run of one owner's acknowledged messages below which
// none is unacknowledged goes in one purge, the rest one delete each; an Ack
// returns once its message is gone, up to about 2 ms later than alone
// (AckFunc calls back instead of waiting). Subscribe needs no JetStream
// consumer: it reads the owner's backlog from the stream, and from then on
// Put hands each message it stored to the owner's subscriptions in memory;
// what a subscriber refused is held, with what comes after it, and offered
// again in order, and what it took and did not acknowledge is offered again
// after Options.Redeliver. That makes the store the only writer of its
// stream (see Limits).
//
// # At rest
//
// Keys form a hierarchy, each level wrapping the next with
// XChaCha20-Poly1305 and additional data naming where the sealed record
// belongs:
//
//	RootKey (never stored) --HKDF-SHA256--> epoch KEK, ref key, registry key
//	epoch KEK   wraps  an epoch key per Epoch     (bucket bc_epochs)
//	epoch key   wraps  a message key per message  (the head of its mail record)
//	message key seals  ID, From, Kind, times and Body (the rest of the record)
//
// A mail record is the message key, wrapped, followed by the message sealed
// under it; both halves are bound to the record's owner and reference. Ack removes the
// record, and with it the only stored copy of its wrapped key. Sweep (on
// Open, then every minute) removes what has expired by the store's clock and
// JetStream has not yet dropped by its own, and destroys each epoch key once
// Epoch+MaxTTL have passed since its epoch began, when every message key it
// wrapped has expired. Unwrapped keys exist only in memory, and message keys
// only while a record is sealed or opened. This is crypto-shredding: a
// message is gone when a key it needs is gone.
//
// # Limits
//
// What this does not do, stated plainly:
//
//   - Removed bytes remain on disk. JetStream removes a record by marking it
//     deleted; the bytes stay in the block file until the block is compacted
//     or dropped, and after that in freed file-system blocks, SSD spare
//     areas and journals. That holds for a removed record and the
//     wrapped message key at its head. What protects
//     shredded data is that keys are destroyed, and the key that finally
//     counts is the epoch key, destroyed up to Epoch+MaxTTL after the
//     message was put. Options.SecureDelete makes JetStream overwrite each
//     removed record, so the live files no longer hold them,
//     but it rewrites a whole block file per deletion (hundreds of messages
//     a second instead of thousands) and does so by writing a new file, so
//     the old blocks are freed, not overwritten. Epoch keys and registry
//     values are always removed that way; they are few.
//   - Whoever holds RootKey and a copy of the disk taken before an epoch key
//     was destroyed can read every message of that epoch whose bytes are in
//     the copy, including acknowledged ones not yet overwritten. Without
//     RootKey nothing stored is readable. Registry values stay readable with
//     RootKey as long as their bytes remain.
//   - Owners, message sizes, arrival times and expiry times are visible on
//     disk; IDs, senders, kinds and bodies are not. Registry key names are
//     stored as an HMAC per dot-separated part, so their words are not on
//     disk, but how many entries share a prefix is.
//   - With one replica JetStream writes each message to the kernel before
//     acknowledging it, so a killed process loses nothing it accepted; a
//     power failure can lose the last seconds unless Options.SyncAlways
//     makes it fsync first. With Options.URL these properties, and the
//     server's logs, are the external server's.
//   - The index costs about 50 bytes of memory per stored message (a
//     million waiting messages: some 50 MB), and Open reads every stored
//     record once to build it.
//   - The store assumes it is the only writer of its JetStream assets: two
//     hubs on one external server would share mailboxes, but a message put by
//     one reaches the other's subscriptions only when they are next made.
//
// The embedded server's logs go to Options.Logger; its trace level, the only
// one that logs payloads, is never enabled.
package store
