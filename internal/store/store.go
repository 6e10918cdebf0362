package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream assets the store owns.
const (
	mailStream     = "MAIL"
	mailPrefix     = "mail."
	epochsBucket   = "bc_epochs"
	registryBucket = "bc_registry"
	checkKey       = "check"
)

// Store is the hub's persistence. Its methods are safe for concurrent use.
type Store struct {
	opts Options
	root rootKeys
	log  func(msg string, args ...any)

	ns *server.Server // nil when connected to an external server
	nc *nats.Conn
	js jetstream.JetStream

	mail           jetstream.Stream
	epochs         jetstream.KeyValue
	epochsStream   jetstream.Stream
	registry       jetstream.KeyValue
	registryStream jetstream.Stream

	index   mailIndex  // message reference -> stream sequence
	sweepMu sync.Mutex // one Sweep at a time (the index's generations)

	epochMu   sync.Mutex
	epochKeys map[uint64][]byte // unwrapped epoch keys, memory only

	closed      atomic.Bool
	mu          sync.Mutex                 // guards subs
	subs        map[string][]*Subscription // by owner
	stopJanitor context.CancelFunc
	janitorDone sync.WaitGroup
	ready       chan struct{} // Subscription.Ready: redeliver now, not at the next tick
	heldBytes   atomic.Int64  // bodies the subscriptions hold while refused (see Subscription.hold)

	ackMu       sync.Mutex
	ackQueue    []*ackReq     // for the remover (see acks.go); under ackMu
	ackClosed   bool          // the remover has stopped; under ackMu
	ackKick     chan struct{} // tells the remover of ackQueue; one buffered
	ackFull     chan struct{} // ends the remover's linger: a batch's worth is queued; one buffered
	removerDone chan struct{} // closed when the remover has stopped
	stopRemover context.CancelFunc
	purges      atomic.Uint64 // see Removals
	purged      atomic.Uint64
	deletes     atomic.Uint64
	purgeMu     sync.Mutex
	purgedTo    map[string]uint64 // by owner, below what the remover purges or has purged; under purgeMu
}

// Open connects to (or starts) JetStream, creates or updates the mail stream
// and the epoch and registry tables, checks that RootKey is the one the data was written with,
// sweeps once (the hub may have been down while messages expired) and starts
// the janitor, which sweeps every minute until Close.
func Open(ctx context.Context, o Options) (*Store, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	root, err := deriveRoot(o.RootKey)
	if err != nil {
		return nil, err
	}
	o.RootKey = nil // the derived keys are all the store needs
	s := &Store{
		opts:        o,
		root:        root,
		log:         o.Logger.Warn,
		index:       newMailIndex(),
		epochKeys:   make(map[uint64][]byte),
		subs:        make(map[string][]*Subscription),
		ready:       make(chan struct{}, 1),
		ackKick:     make(chan struct{}, 1),
		ackFull:     make(chan struct{}, 1),
		purgedTo:    make(map[string]uint64),
		removerDone: make(chan struct{}),
	}
	if err := s.connect(ctx); err != nil {
		s.disconnect()
		return nil, err
	}
	if err := s.setup(ctx); err != nil {
		s.disconnect()
		return nil, err
	}
	if _, err := s.Sweep(ctx); err != nil {
		s.disconnect()
		return nil, err
	}
	rctx, rcancel := context.WithCancel(context.Background())
	s.stopRemover = rcancel
	go s.runRemover(rctx)
	jctx, cancel := context.WithCancel(context.Background())
	s.stopJanitor = cancel
	s.janitorDone.Go(func() {
		runJanitor(jctx, janitorInterval, func(ctx context.Context) {
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.log("store: sweep failed", "err", err)
			}
		})
	})
	s.janitorDone.Go(func() { runJanitorOr(jctx, redeliveryTick, s.ready, s.redeliver) })
	s.logOpen()
	return s, nil
}

// logOpen logs, at info level, the one line that says where the store is.
func (s *Store) logOpen() {
	o := s.opts
	if o.URL != "" {
		where := o.URL
		if u, err := url.Parse(o.URL); err == nil {
			where = u.Redacted() // no password in a log
		}
		s.opts.Logger.Info("store open", "nats", where)
		return
	}
	s.opts.Logger.Info("store open", "nats", "embedded", "dir", o.Dir,
		"max_storage_bytes", o.MaxBytes, "max_memory_bytes", o.MaxMemory)
}

func (s *Store) connect(ctx context.Context) error {
	name := nats.Name("backchannel-store")
	if s.opts.URL != "" {
		nc, err := nats.Connect(s.opts.URL, name, nats.MaxReconnects(-1))
		if err != nil {
			return fmt.Errorf("store: connecting to NATS at %s: %w", s.opts.URL, err)
		}
		s.nc = nc
		return nil
	}
	ns, err := server.NewServer(&server.Options{
		ServerName:         "backchannel-store",
		DontListen:         true,
		JetStream:          true,
		StoreDir:           s.opts.Dir,
		JetStreamMaxStore:  s.opts.MaxBytes,
		JetStreamMaxMemory: s.opts.MaxMemory,
		SyncAlways:         s.opts.SyncAlways,
		NoSigs:             true,
	})
	if err != nil {
		return fmt.Errorf("store: configuring embedded NATS server: %w", err)
	}
	s.ns = ns
	debug := s.opts.Logger.Enabled(ctx, slog.LevelDebug)
	ns.SetLoggerV2(serverLogger{s.opts.Logger}, debug, false, false)
	ns.Start()
	if !ns.ReadyForConnections(10*time.Second) || !ns.JetStreamEnabled() {
		return fmt.Errorf("store: embedded NATS server with JetStream in %s did not start (see the log)", s.opts.Dir)
	}
	nc, err := nats.Connect("", name, nats.InProcessServer(ns))
	if err != nil {
		return fmt.Errorf("store: connecting to embedded NATS server: %w", err)
	}
	s.nc = nc
	return nil
}

func (s *Store) setup(ctx context.Context) error {
	js, err := jetstream.New(s.nc, jetstream.WithPublishAsyncTimeout(30*time.Second), jetstream.WithPublishAsyncMaxPending(16384))
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	s.js = js
	o := s.opts
	s.mail, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        mailStream,
		Description: "backchannel mailboxes; payloads sealed, see internal/store",
		Subjects:    []string{mailPrefix + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      o.MaxTTL,
		MaxBytes:    o.MaxBytes / 4 * 3,
		Discard:     jetstream.DiscardNew, // refuse new mail rather than drop accepted mail
		Duplicates:  min(o.dedupe, o.MaxTTL),
		AllowMsgTTL: true,
		AllowDirect: true,
		Replicas:    1,
	})
	if err != nil {
		return fmt.Errorf("store: creating stream %s: %w", mailStream, err)
	}
	// The buckets are made as plain streams in the layout of a JetStream KV
	// bucket (History 1) because a KV-made stream denies message deletes,
	// and only a delete can overwrite a destroyed key.
	bucket := func(name, desc string, ttl time.Duration) (jetstream.KeyValue, jetstream.Stream, error) {
		st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:              "KV_" + name,
			Description:       desc,
			Subjects:          []string{"$KV." + name + ".>"},
			MaxMsgsPerSubject: 1,
			MaxMsgs:           -1,
			MaxBytes:          -1,
			MaxAge:            ttl,
			MaxConsumers:      -1,
			Storage:           jetstream.FileStorage,
			Discard:           jetstream.DiscardNew,
			Duplicates:        dedupeWindow,
			AllowRollup:       true,
			AllowDirect:       true,
			AllowMsgTTL:       true, // for the markers of destroyed rows
			Replicas:          1,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("store: creating key-value bucket %s: %w", name, err)
		}
		kv, err := js.KeyValue(ctx, name)
		if err != nil {
			return nil, nil, fmt.Errorf("store: opening key-value bucket %s: %w", name, err)
		}
		return kv, st, nil
	}
	// JetStream's MaxAge backs up the sweeper with the real clock: no epoch
	// key outlives Epoch+MaxTTL.
	if s.epochs, s.epochsStream, err = bucket(epochsBucket, "epoch keys wrapped by the root key", o.Epoch+o.MaxTTL); err != nil {
		return err
	}
	if s.registry, s.registryStream, err = bucket(registryBucket, "hub registry, values sealed", 0); err != nil {
		return err
	}
	return s.checkRoot(ctx)
}

// checkRoot fails Open early and clearly when RootKey is not the one the
// existing data was sealed with.
func (s *Store) checkRoot(ctx context.Context) error {
	_, err := s.epochs.Create(ctx, checkKey, seal(s.root.epochKEK, labelCheck, "", nil))
	if err == nil || !errors.Is(err, jetstream.ErrKeyExists) {
		return wrapErr("checking root key", err)
	}
	e, err := s.epochs.Get(ctx, checkKey)
	if err != nil {
		return fmt.Errorf("store: checking root key: %w", err)
	}
	if _, err := openRecord(s.root.epochKEK, labelCheck, "", e.Value()); err != nil {
		return fmt.Errorf("store: Options.RootKey is not the key this store was created with: %w", err)
	}
	return nil
}

// Close stops the janitor and every subscription, closes the connection and,
// in embedded mode, shuts the server down. It is safe to call more than once.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.stopJanitor()
	s.janitorDone.Wait()
	for _, sub := range s.allSubs() {
		sub.Stop()
	}
	s.stopRemover()
	<-s.removerDone
	s.disconnect()
	s.epochMu.Lock()
	for n, k := range s.epochKeys {
		clear(k)
		delete(s.epochKeys, n)
	}
	s.epochMu.Unlock()
	return nil
}

func (s *Store) disconnect() {
	if s.nc != nil {
		s.nc.Close()
	}
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
}

func (s *Store) now() time.Time { return s.opts.Now() }

func (s *Store) alive() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// wrapErr prefixes err with what the store was doing, keeping nil nil.
func wrapErr(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", doing, err)
}
