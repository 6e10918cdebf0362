package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The durability test re-executes the test binary as a child that puts
// messages until it is killed. The child prints each ID after Put returns.
const (
	childEnv    = "BACKCHANNEL_STORE_CHILD_DIR"
	childRunEnv = "BACKCHANNEL_STORE_CHILD_RUN"
	childProcs  = 8 // concurrent putters in the child
)

func childID(run, worker, i int) string { return fmt.Sprintf("r%d-w%d-%d", run, worker, i) }

// durabilityChild is the child's main. Each worker first puts again the first
// IDs its predecessor in the previous run put (duplicates, or new if that run
// died first), then fresh IDs, forever.
func durabilityChild() int {
	run, _ := strconv.Atoi(os.Getenv(childRunEnv))
	s, err := Open(context.Background(), Options{Dir: os.Getenv(childEnv), RootKey: testRoot})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var out sync.Mutex
	accepted := func(id string) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintln(os.Stdout, id) // one write(2) per line, unbuffered
	}
	var wg sync.WaitGroup
	for w := range childProcs {
		wg.Go(func() {
			var ids []string
			for i := 0; run > 0 && i < 5; i++ {
				ids = append(ids, childID(run-1, w, i))
			}
			for i := 0; ; i++ {
				id := childID(run, w, i)
				if len(ids) > 0 {
					id, ids = ids[0], ids[1:]
				}
				body := []byte(strings.Repeat("x", 200))
				if _, _, err := s.Put(context.Background(), Message{ID: id, To: "ALICE", From: "BOB", Body: body}); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				accepted(id)
			}
		})
	}
	wg.Wait()
	return 0
}

// TestKillNine kills a putting process at random moments and checks that
// every message it reported as accepted is there exactly once afterwards.
func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	accepted := map[string]bool{}
	for run := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir, childRunEnv+"="+strconv.Itoa(run))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			defer close(lines)
			r := bufio.NewReader(stdout)
			for {
				line, err := r.ReadString('\n')
				if err != nil { // a line cut by the kill has no newline: not accepted
					return
				}
				lines <- strings.TrimSuffix(line, "\n")
			}
		}()
		select {
		case id, ok := <-lines:
			if !ok {
				t.Fatalf("run %d: child exited before accepting anything", run)
			}
			accepted[id] = true
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("run %d: child accepted nothing", run)
		}
		time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		n := 1
		for id := range lines {
			accepted[id] = true
			n++
		}
		cmd.Wait()
		t.Logf("run %d: %d accepted before SIGKILL", run, n)
	}

	s, _ := openTest(t, func(o *Options) { o.Dir = dir; o.Now = nil })
	ctx := context.Background()
	list, err := s.List(ctx, "ALICE")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, m := range list {
		stored[m.ID]++
		if stored[m.ID] == 2 {
			t.Errorf("%s is stored twice", m.ID)
		}
	}
	for id := range accepted {
		if stored[id] == 0 {
			t.Errorf("accepted %s was lost", id)
		}
	}
	t.Logf("%d accepted, %d stored (the rest were in flight at a kill)", len(accepted), len(stored))

	// Drain the mailbox as the hub would: acknowledge off the callback.
	seen := map[string]bool{}
	var mu sync.Mutex
	acks := make(chan string, len(stored))
	var acked atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for id := range acks {
				if err := s.Ack(ctx, "ALICE", id); err != nil {
					t.Errorf("Ack(%s): %v", id, err)
				}
				acked.Add(1)
			}
		})
	}
	sub, err := s.Subscribe(ctx, "ALICE", func(m Message) bool {
		mu.Lock()
		defer mu.Unlock()
		if !seen[m.ID] { // a redelivery is the caller's to drop
			seen[m.ID] = true
			acks <- m.ID
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { sub.Stop(); close(acks); wg.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n := int(acked.Load())
		if n == len(stored) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drained %d of %d", n, len(stored))
		}
	}
	if l, err := s.List(ctx, "ALICE"); err != nil || len(l) != 0 {
		t.Fatalf("after draining, List = %d messages, %v", len(l), err)
	}
}
