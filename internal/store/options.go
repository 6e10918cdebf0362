package store

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"
)

// Defaults applied by Open to zero-valued Options fields.
const (
	DefaultMaxTTL     = 7 * 24 * time.Hour
	DefaultTTL        = 72 * time.Hour
	DefaultEpoch      = 24 * time.Hour
	DefaultMaxBytes   = 1 << 30
	DefaultMaxMemory  = 64 << 20
	DefaultRedeliver  = 30 * time.Second
	dedupeWindow      = 2 * time.Minute
	janitorInterval   = time.Minute
	apiTimeout        = 10 * time.Second
	minTTL            = time.Second // JetStream's per-message TTL has one-second resolution
	maxIDLen          = 64
	maxPrincipalLen   = 16
	maxKindLen        = 32
	maxRegistryKeyLen = 128
)

var (
	// ErrNotFound reports that the mailbox has no pending message with that
	// ID, or the registry has no such key. It is also what another owner's
	// message looks like: the store never reveals that it exists.
	ErrNotFound = errors.New("store: not found")

	// ErrInvalid reports a malformed argument. The wrapping error names the
	// field and what was expected.
	ErrInvalid = errors.New("store: invalid argument")

	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("store: closed")
)

// Options configure Open. The zero value of every field except RootKey (and
// Dir in embedded mode) selects a documented default.
type Options struct {
	// Dir is the data directory of the embedded server's file store. It is
	// required when URL is empty and ignored otherwise.
	Dir string
	// URL selects an external NATS server with JetStream. Empty means an
	// embedded, in-process server that opens no network listener.
	URL string
	// RootKey is 32 secret bytes. Every other key is wrapped by keys derived
	// from it (HKDF-SHA256, info "backchannel/1 store root"). It is never
	// written anywhere; losing it loses every stored message and registry value.
	RootKey []byte
	// MaxTTL bounds a message's time to live; it is also the stream's MaxAge.
	MaxTTL time.Duration
	// DefaultTTL applies to messages put with a zero Expires.
	DefaultTTL time.Duration
	// Epoch is the lifetime of an epoch key, which wraps the message keys
	// created during it and is destroyed Epoch+MaxTTL after the epoch began.
	Epoch time.Duration
	// MaxBytes is JetStream's file storage limit (embedded server) and bounds
	// the mail stream (three quarters of it; the epoch and registry tables share the rest).
	MaxBytes int64
	// MaxMemory is the embedded server's JetStream memory limit.
	MaxMemory int64
	// Redeliver is how long a message handed to a Subscribe callback may stay
	// unacknowledged before it is offered again.
	Redeliver time.Duration
	// SyncAlways makes the embedded server fsync every write before
	// acknowledging it, so accepted messages also survive power loss, at a
	// large cost in throughput. Without it an accepted message survives the
	// process being killed, because JetStream has written it to the kernel.
	SyncAlways bool
	// SecureDelete makes Ack and expiry use JetStream's secure delete for
	// mail records (and the wrapped keys at their heads): the record is overwritten with random
	// bytes in a rewritten block file, so the live files no longer hold it
	// even wrapped. It costs a block rewrite and an fsync per deletion (a few
	// hundred messages a second instead of thousands), and the old file's
	// blocks are freed, not overwritten. Epoch keys and registry values are
	// always deleted this way.
	SecureDelete bool
	// Logger receives the embedded server's logs and the store's own
	// warnings. Nil discards them.
	Logger *slog.Logger
	// Now is the clock for every expiry and epoch decision. Nil means
	// time.Now. JetStream's own TTL and MaxAge use the real clock regardless;
	// the store enforces expiry by Now on every read, so a faster clock only
	// makes messages disappear sooner.
	Now func() time.Time

	// keyHook, when set by tests, sees every message and epoch key created.
	keyHook func(kind string, key []byte)
	// dedupe is the duplicate window; tests shorten it.
	dedupe time.Duration
}

func (o *Options) setDefaults() error {
	if o.URL == "" && o.Dir == "" {
		return fmt.Errorf("%w: Options.Dir: a data directory is required for the embedded server (or set Options.URL)", ErrInvalid)
	}
	if len(o.RootKey) != 32 {
		return fmt.Errorf("%w: Options.RootKey: want 32 bytes, got %d", ErrInvalid, len(o.RootKey))
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.MaxTTL, DefaultMaxTTL)
	def(&o.DefaultTTL, DefaultTTL)
	def(&o.Epoch, DefaultEpoch)
	def(&o.Redeliver, DefaultRedeliver)
	def(&o.dedupe, dedupeWindow)
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxMemory == 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch {
	case o.MaxTTL < time.Minute:
		return fmt.Errorf("%w: Options.MaxTTL: want at least 1m, got %v", ErrInvalid, o.MaxTTL)
	case o.DefaultTTL < minTTL || o.DefaultTTL > o.MaxTTL:
		return fmt.Errorf("%w: Options.DefaultTTL: want between %v and MaxTTL (%v), got %v", ErrInvalid, minTTL, o.MaxTTL, o.DefaultTTL)
	case o.Epoch < time.Minute:
		return fmt.Errorf("%w: Options.Epoch: want at least 1m, got %v", ErrInvalid, o.Epoch)
	case o.Redeliver < 100*time.Millisecond:
		return fmt.Errorf("%w: Options.Redeliver: want at least 100ms, got %v", ErrInvalid, o.Redeliver)
	case o.MaxBytes < 4<<20:
		return fmt.Errorf("%w: Options.MaxBytes: want at least 4 MiB, got %d", ErrInvalid, o.MaxBytes)
	case o.MaxMemory < 0:
		return fmt.Errorf("%w: Options.MaxMemory: want a positive size, got %d", ErrInvalid, o.MaxMemory)
	}
	return nil
}

// checkID reports whether id is a valid message ID: 1 to 64 of [A-Za-z0-9._-].
func checkID(field, id string) error {
	if len(id) == 0 || len(id) > maxIDLen {
		return fmt.Errorf("%w: %s: want 1 to %d characters, got %d", ErrInvalid, field, maxIDLen, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: %s: want only A-Z a-z 0-9 . _ -, got %q", ErrInvalid, field, id)
		}
	}
	return nil
}

// checkPrincipal reports whether p is a valid principal (mailbox owner or
// sender): 1 to 16 of [A-Z0-9_]. The charset keeps it a single NATS subject token.
func checkPrincipal(field, p string) error {
	if len(p) == 0 || len(p) > maxPrincipalLen {
		return fmt.Errorf("%w: %s: want 1 to %d characters, got %d", ErrInvalid, field, maxPrincipalLen, len(p))
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("%w: %s: want only A-Z 0-9 _, got %q", ErrInvalid, field, p)
		}
	}
	return nil
}

func checkKind(kind string) error {
	if len(kind) > maxKindLen || !utf8.ValidString(kind) {
		return fmt.Errorf("%w: Message.Kind: want at most %d bytes of UTF-8, got %q", ErrInvalid, maxKindLen, kind)
	}
	return nil
}

// checkRegistryKey accepts what a JetStream KV key accepts, minus wildcards:
// [A-Za-z0-9_=/.-], no empty dot-separated token.
func checkRegistryKey(key string) error {
	bad := len(key) == 0 || len(key) > maxRegistryKeyLen || key[0] == '.' || key[len(key)-1] == '.'
	for i := 0; i < len(key) && !bad; i++ {
		c := key[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '_' || c == '=' || c == '/' || c == '-' || c == '.' && key[i-1] != '.'
		bad = !ok
	}
	if bad {
		return fmt.Errorf("%w: registry key: want 1 to %d of A-Z a-z 0-9 _ = / - and inner single dots, got %q", ErrInvalid, maxRegistryKeyLen, key)
	}
	return nil
}
