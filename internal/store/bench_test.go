package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Run with: go test -run XXX -bench . -benchmem ./internal/store/
// Put is synchronous, so the benchmarks drive it from many goroutines, as the
// hub does (one per connected desk or request).

const benchBody = 256

func benchStore(b *testing.B) *Store {
	s, _ := openTest(b, func(o *Options) { o.Now = nil })
	return s
}

// BenchmarkPut measures durable, sealed Puts of 256-byte bodies.
func BenchmarkPut(b *testing.B) {
	s := benchStore(b)
	body := make([]byte, benchBody)
	var n atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := n.Add(1)
			m := Message{ID: fmt.Sprint("m", i), To: fmt.Sprintf("D%d", i%64), From: "HUB", Body: body}
			if _, _, err := s.Put(ctx, m); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPutPaced puts at a steady 10,000 a second, each Put on a goroutine
// of its own as the hub makes them, and reports the latency from each Put's
// scheduled time to its return: the store's share of the hub's p99.
func BenchmarkPutPaced(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	body := make([]byte, benchBody)
	for i := range 2000 { // the epoch key, the first blocks
		if _, _, err := s.Put(ctx, Message{ID: fmt.Sprint("w", i), To: "D0", From: "HUB", Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	const rate = 10000
	lat := make([]int64, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		at := start.Add(time.Duration(i) * time.Second / rate)
		time.Sleep(time.Until(at))
		wg.Go(func() {
			m := Message{ID: fmt.Sprint("m", i), To: fmt.Sprintf("D%d", i%64), From: "HUB", Body: body}
			if _, _, err := s.Put(ctx, m); err != nil {
				b.Error(err)
			}
			lat[i] = int64(time.Since(at))
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e3, "p99-µs")
}

// BenchmarkEndToEnd puts b.N messages and drains them through Subscribe and Ack.
func BenchmarkEndToEnd(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	body := make([]byte, benchBody)
	const owners = 16
	var wg sync.WaitGroup
	wg.Add(b.N)
	var acked atomic.Int64
	for o := range owners {
		owner := fmt.Sprint("D", o)
		sub, err := s.Subscribe(ctx, owner, func(m Message) bool {
			go func() { // the hub acks when the desk confirms, not in the callback
				if err := s.Ack(ctx, owner, m.ID); err == nil && acked.Add(1) <= int64(b.N) {
					wg.Done()
				}
			}()
			return true
		})
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Stop()
	}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			m := Message{ID: fmt.Sprint("m", i), To: fmt.Sprint("D", i%owners), From: "HUB", Body: body}
			if _, _, err := s.Put(ctx, m); err != nil {
				b.Error(err)
				return
			}
		}
	})
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkAckOneAtATime: one desk reads and acknowledges its mail one
// message at a time, each Put then its Ack; ns/op is the pair. A lone Ack
// is removed at once, with no linger for others to join it.
func BenchmarkAckOneAtATime(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	body := make([]byte, benchBody)
	b.ResetTimer()
	for i := range b.N {
		m := Message{ID: fmt.Sprint("m", i), To: "D0", From: "HUB", Body: body}
		if _, _, err := s.Put(ctx, m); err != nil {
			b.Fatal(err)
		}
		if err := s.Ack(ctx, "D0", m.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawJetStream is the baseline: plain, unsealed JetStream publishes
// (async, with acks awaited) and a pull consumer reading them back, on an
// embedded server configured like the store's.
func BenchmarkRawJetStream(b *testing.B) {
	ns, err := server.NewServer(&server.Options{
		DontListen: true, JetStream: true, StoreDir: b.TempDir(), NoSigs: true, NoLog: true,
		JetStreamMaxStore: DefaultMaxBytes, JetStreamMaxMemory: DefaultMaxMemory,
	})
	if err != nil {
		b.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		b.Fatal("not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "RAW", Subjects: []string{"raw.>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, MaxAge: DefaultMaxTTL, Duplicates: dedupeWindow, AllowMsgTTL: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "c", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(b.N)
	var got atomic.Int64
	cc, err := cons.Consume(func(m jetstream.Msg) {
		m.Ack()
		if got.Add(1) <= int64(b.N) {
			wg.Done()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Stop()
	body := make([]byte, benchBody)
	b.ResetTimer()
	for i := range b.N {
		if _, err := js.PublishAsync(fmt.Sprint("raw.", i%64), body, jetstream.WithMsgID(fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("publish acks did not arrive")
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
