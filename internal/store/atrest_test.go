package store

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestNothingPlainAtRest writes messages carrying a canary, acknowledges some,
// lets others expire, rotates epochs, then reads every byte under Dir looking
// for the canary, the metadata that must stay sealed, the root key, the keys
// derived from it, and every message and epoch key the store ever made.
func TestNothingPlainAtRest(t *testing.T) {
	const (
		canary     = "CANARY-c4f1e9b2-do-not-persist"
		canaryID   = "canaryid-4d1a"
		canaryFrom = "SENDERQX"
		canaryKind = "kindcanary-77"
	)
	clk := newClock()
	var mu sync.Mutex
	var made [][]byte
	dir := t.TempDir()
	o := Options{
		Dir: dir, RootKey: testRoot, Now: clk.Now, Epoch: time.Hour, MaxTTL: 3 * time.Hour, DefaultTTL: time.Hour,
		keyHook: func(kind string, k []byte) {
			mu.Lock()
			defer mu.Unlock()
			made = append(made, bytes.Clone(k))
		},
	}
	ctx := context.Background()
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	derived := s.root
	for epoch := range 3 {
		for i := range 12 {
			m := Message{
				ID: fmt.Sprintf("%s-%d-%d", canaryID, epoch, i), To: "ALICE", From: canaryFrom, Kind: canaryKind,
				Body: []byte(fmt.Sprintf("secret %d/%d %s", epoch, i, canary)),
			}
			if i%3 == 0 {
				m.Expires = clk.Now().Add(3 * time.Hour) // outlives the test: stays stored, sealed
			}
			mustPut(t, s, m)
			if i%3 == 1 {
				if err := s.Ack(ctx, "ALICE", m.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.RegistryPut(ctx, fmt.Sprint("reg", epoch), []byte(canary)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour) // the i%3 == 2 messages expire; a new epoch begins
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RegistryDelete(ctx, "reg0"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.List(ctx, "ALICE"); err != nil || len(l) == 0 {
		t.Fatalf("List = %d messages, %v; the scan needs some stored ones", len(l), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	secrets := map[string][]byte{
		"canary": []byte(canary), "ID": []byte(canaryID), "From": []byte(canaryFrom), "Kind": []byte(canaryKind),
		"RootKey": testRoot, "epoch KEK": derived.epochKEK, "ref key": derived.refKey, "registry key": derived.registry,
	}
	if len(made) < 3*12+3 {
		t.Fatalf("key hook saw %d keys, want at least %d", len(made), 3*12+3)
	}
	for i, k := range made {
		secrets[fmt.Sprint("generated key ", i)] = k
	}
	files, total := 0, 0
	sawOwner := false // positive control: owners are stored in clear, in subjects
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files, total = files+1, total+len(b)
		sawOwner = sawOwner || bytes.Contains(b, []byte("mail.ALICE."))
		for name, secret := range secrets {
			if bytes.Contains(b, secret) {
				t.Errorf("%s found in %s", name, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawOwner {
		t.Fatalf("scan of %d files (%d bytes) did not find the clear owner subject; is it reading the store?", files, total)
	}
	t.Logf("scanned %d files, %d bytes, for %d secrets", files, total, len(secrets))
}
