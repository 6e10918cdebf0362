package desk

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/sealed"
)

// stateFile is the desk's local state, encrypted, in its directory.
const stateFile = "state.enc"

// state is everything a desk keeps between runs. It is written whole, sealed
// under a key derived from the desk's identity, and every item in it expires:
// expiry is housekeeping on this desk, not a constraint on anyone else.
type state struct {
	Inbox []localapi.Item `json:"inbox"`
	// Seen maps delivered message ids to when they may be forgotten, so a
	// redelivered message is shown once.
	Seen map[string]time.Time `json:"seen"`
	// Outbox holds frames not yet accepted by the hub, sent again on reconnect
	// with the same id.
	Outbox []queued `json:"outbox"`
	// OneTime are the private halves of deposited one-time keys.
	OneTime []sealed.OneTime `json:"one_time"`
	// HandedOut maps the kids of private halves the hub no longer holds
	// (handed out to a peer, or never deposited) to when the desk first saw
	// that; the private half goes once no message to it can still arrive.
	HandedOut map[string]time.Time `json:"handed_out,omitempty"`
	// Peers are the static keys the mediator introduced.
	Peers map[string]string `json:"peers"`
	// Me and Mediator are learned from the hub's welcome.
	Me, Mediator string
	// MaxTTL is the hub's bound on a message's time to live, in seconds, from
	// its welcome.
	MaxTTL int64 `json:"max_ttl,omitempty"`
}

type queued struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Frame   json.RawMessage `json:"frame"`
	Expires time.Time       `json:"expires"`
}

func stateKey(id *identity.Private) ([]byte, error) {
	return hkdf.Key(sha256.New, id.Bytes(), nil, "backchannel/1 desk state", chacha20poly1305.KeySize)
}

// load reads and opens the state file; a missing file is an empty state.
func loadState(path string, id *identity.Private) (*state, error) {
	s := &state{Seen: map[string]time.Time{}, Peers: map[string]string{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := stateKey(id)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%s: too short to be a desk state", path)
	}
	pt, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(stateFile))
	if err != nil {
		return nil, fmt.Errorf("%s: does not open with this desk's key (another desk's state, or damaged)", path)
	}
	defer clear(pt)
	if err := json.Unmarshal(pt, s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Seen == nil {
		s.Seen = map[string]time.Time{}
	}
	if s.Peers == nil {
		s.Peers = map[string]string{}
	}
	return s, nil
}

// save seals the state and replaces the file atomically.
func (s *state) save(path string, id *identity.Private) error {
	pt, err := json.Marshal(s)
	if err != nil {
		return err
	}
	defer clear(pt)
	key, err := stateKey(id)
	if err != nil {
		return err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(pt)+aead.Overhead())
	rand.Read(nonce)
	out := aead.Seal(nonce, nonce, pt, []byte(stateFile))
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// expire drops what has expired by now and reports whether anything went.
func (s *state) expire(now time.Time) bool {
	changed := false
	kept := s.Inbox[:0]
	for _, it := range s.Inbox {
		if it.Expires.After(now) {
			kept = append(kept, it)
		} else {
			changed = true
		}
	}
	s.Inbox = kept
	for id, t := range s.Seen {
		if !t.After(now) {
			delete(s.Seen, id)
			changed = true
		}
	}
	out := s.Outbox[:0]
	for _, q := range s.Outbox {
		if q.Expires.After(now) {
			out = append(out, q)
		} else {
			changed = true
		}
	}
	s.Outbox = out
	return changed
}

// reconcile compares the private halves with held, the kids the hub holds for
// this desk. A key the hub no longer holds is noted as handed out at now, and
// its private half destroyed once grace has passed since; a message sealed to
// it before then still opens. It returns how many of held this desk can open,
// and whether the state changed.
func (s *state) reconcile(held []string, now time.Time, grace time.Duration) (usable int, changed bool) {
	at := make(map[string]bool, len(held))
	for _, kid := range held {
		at[kid] = true
	}
	if s.HandedOut == nil {
		s.HandedOut = map[string]time.Time{}
	}
	kept := s.OneTime[:0]
	mine := make(map[string]bool, len(s.OneTime))
	for _, k := range s.OneTime {
		since, noted := s.HandedOut[k.KID]
		switch {
		case at[k.KID]:
			usable++
			if noted {
				delete(s.HandedOut, k.KID)
				changed = true
			}
		case !noted:
			s.HandedOut[k.KID] = now
			changed = true
		case now.Sub(since) >= grace:
			clear(k.Priv)
			delete(s.HandedOut, k.KID)
			changed = true
			continue
		}
		mine[k.KID] = true
		kept = append(kept, k)
	}
	clear(s.OneTime[len(kept):])
	s.OneTime = kept
	for kid := range s.HandedOut {
		if !mine[kid] {
			delete(s.HandedOut, kid)
			changed = true
		}
	}
	return usable, changed
}
