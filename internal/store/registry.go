package store

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// The registry is a small durable table for hub state that must outlive
// epochs, such as assurance registry entries and one-time keys.
//
// Neither key names nor values are written in clear: a key name is often a
// party's own words (an assurance id). Each dot-separated token of a name is
// stored as a truncated HMAC of the name up to and including that token, under
// a key derived from the registry key, so "asr.talks" becomes
// hmac("asr").hmac("asr.talks"). Names that share leading tokens share leading
// stored tokens, which is what lets RegistryList filter by prefix without
// reading the whole table; what the disk shows is how many entries share them
// (how many assurances, how many one-time keys of one party), not what they
// are called. The clear name is sealed inside the value, with the value bound
// to its stored name, so a record copied under another name does not open.

const (
	registryNameInfo = "backchannel/1 registry names"
	registryNameSize = 16 // bytes of HMAC kept per token
)

// registryNameKey is the HMAC key for stored names, derived from the registry
// key so the root keys stay as they are.
func (s *Store) registryNameKey() ([]byte, error) {
	k, err := hkdf.Key(sha256.New, s.root.registry, nil, registryNameInfo, keySize)
	if err != nil {
		return nil, fmt.Errorf("store: deriving the registry name key: %w", err)
	}
	return k, nil
}

// storedTokens maps the first n dot-separated tokens of a clear name to their
// stored form, joined by dots.
func storedTokens(nameKey []byte, tokens []string) string {
	out := make([]string, len(tokens))
	for i := range tokens {
		h := hmac.New(sha256.New, nameKey)
		h.Write([]byte(strings.Join(tokens[:i+1], ".")))
		out[i] = hex.EncodeToString(h.Sum(nil)[:registryNameSize])
	}
	return strings.Join(out, ".")
}

// storedName checks a clear registry key and returns the name it is stored
// under.
func (s *Store) storedName(key string) (string, error) {
	if err := checkRegistryKey(key); err != nil {
		return "", err
	}
	nk, err := s.registryNameKey()
	if err != nil {
		return "", err
	}
	return storedTokens(nk, strings.Split(key, ".")), nil
}

// registryRecord is the plaintext of a stored value: the clear name, a zero
// byte (names never hold one), then the value.
func registryRecord(key string, value []byte) []byte {
	b := make([]byte, 0, len(key)+1+len(value))
	b = append(b, key...)
	b = append(b, 0)
	return append(b, value...)
}

// openRegistry opens a stored value and returns its clear name and value.
func (s *Store) openRegistry(stored string, rec []byte) (string, []byte, error) {
	pt, err := openRecord(s.root.registry, labelRegistry, stored, rec)
	if err != nil {
		return "", nil, err
	}
	i := bytes.IndexByte(pt, 0)
	if i < 0 {
		return "", nil, fmt.Errorf("%w: registry record without its name", errCorrupt)
	}
	return string(pt[:i]), pt[i+1:], nil
}

// RegistryPut stores value under key, replacing any previous value. A
// replaced value is removed by JetStream without being overwritten; delete
// first with RegistryDelete when it must be erased.
func (s *Store) RegistryPut(ctx context.Context, key string, value []byte) error {
	if err := s.alive(); err != nil {
		return err
	}
	stored, err := s.storedName(key)
	if err != nil {
		return err
	}
	_, err = s.registry.Put(ctx, stored, seal(s.root.registry, labelRegistry, stored, registryRecord(key, value)))
	return wrapErr("registry put", err)
}

// RegistryGet returns the value stored under key, or ErrNotFound.
func (s *Store) RegistryGet(ctx context.Context, key string) ([]byte, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	stored, err := s.storedName(key)
	if err != nil {
		return nil, err
	}
	e, err := s.registry.Get(ctx, stored)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, wrapErr("registry get", err)
	}
	name, v, err := s.openRegistry(stored, e.Value())
	if err == nil && name != key {
		err = fmt.Errorf("%w: the record names another key", errCorrupt)
	}
	if err != nil {
		return nil, wrapErr("registry get "+key, err)
	}
	return v, nil
}

// RegistryDelete erases the value stored under key. Deleting a key that is
// not there is not an error.
func (s *Store) RegistryDelete(ctx context.Context, key string) error {
	if err := s.alive(); err != nil {
		return err
	}
	stored, err := s.storedName(key)
	if err != nil {
		return err
	}
	e, err := s.registry.Get(ctx, stored)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return wrapErr("registry delete", err)
	}
	_, err = erase(ctx, s.registryStream, e.Revision(), true)
	return wrapErr("registry delete", err)
}

// RegistryList returns every key starting with prefix, with its value. Any
// prefix works; one that ends in a dot ("otk.irn.") reads only the entries
// under it, any other also opens the entries under its last complete token
// (all of them when it has none) to compare their names.
func (s *Store) RegistryList(ctx context.Context, prefix string) (map[string][]byte, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	out := make(map[string][]byte)
	filter := jetstream.AllKeys
	if i := strings.LastIndexByte(prefix, '.'); i >= 0 {
		if checkRegistryKey(prefix[:i]) != nil {
			return out, nil // no stored key can start with it
		}
		nk, err := s.registryNameKey()
		if err != nil {
			return nil, err
		}
		filter = storedTokens(nk, strings.Split(prefix[:i], ".")) + ".>"
	}
	err := scan(ctx, s.registry, filter, func(e jetstream.KeyValueEntry) error {
		name, v, err := s.openRegistry(e.Key(), e.Value())
		if err != nil {
			return fmt.Errorf("stored entry %s: %w", e.Key(), err)
		}
		if strings.HasPrefix(name, prefix) {
			out[name] = v
		}
		return nil
	})
	if err != nil {
		return nil, wrapErr("registry list", err)
	}
	return out, nil
}
