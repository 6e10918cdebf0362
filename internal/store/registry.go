package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// The registry is a small durable table for hub state that must outlive
// epochs, such as assurance registry entries. Values are sealed with the
// registry key derived from RootKey, bound to their key name; the key names
// themselves are stored in clear, so they must not be secret.

// RegistryPut stores value under key, replacing any previous value. A
// replaced value is removed by JetStream without being overwritten; delete
// first with RegistryDelete when it must be erased.
func (s *Store) RegistryPut(ctx context.Context, key string, value []byte) error {
	if err := s.alive(); err != nil {
		return err
	}
	if err := checkRegistryKey(key); err != nil {
		return err
	}
	_, err := s.registry.Put(ctx, key, seal(s.root.registry, labelRegistry, key, value))
	return wrapErr("registry put", err)
}

// RegistryGet returns the value stored under key, or ErrNotFound.
func (s *Store) RegistryGet(ctx context.Context, key string) ([]byte, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	if err := checkRegistryKey(key); err != nil {
		return nil, err
	}
	e, err := s.registry.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, wrapErr("registry get", err)
	}
	v, err := openRecord(s.root.registry, labelRegistry, key, e.Value())
	return v, wrapErr("registry get "+key, err)
}

// RegistryDelete erases the value stored under key. Deleting a key that is
// not there is not an error.
func (s *Store) RegistryDelete(ctx context.Context, key string) error {
	if err := s.alive(); err != nil {
		return err
	}
	if err := checkRegistryKey(key); err != nil {
		return err
	}
	e, err := s.registry.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return wrapErr("registry delete", err)
	}
	_, err = erase(ctx, s.registryStream, e.Revision(), true)
	return wrapErr("registry delete", err)
}

// RegistryList returns every key starting with prefix, with its value.
func (s *Store) RegistryList(ctx context.Context, prefix string) (map[string][]byte, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	out := make(map[string][]byte)
	err := scan(ctx, s.registry, func(e jetstream.KeyValueEntry) error {
		if !strings.HasPrefix(e.Key(), prefix) {
			return nil
		}
		v, err := openRecord(s.root.registry, labelRegistry, e.Key(), e.Value())
		if err != nil {
			return fmt.Errorf("%s: %w", e.Key(), err)
		}
		out[e.Key()] = v
		return nil
	})
	if err != nil {
		return nil, wrapErr("registry list", err)
	}
	return out, nil
}
