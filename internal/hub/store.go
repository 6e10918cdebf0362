package hub

import (
	"context"

	"backchannel/internal/store"
)

// Store is what the hub needs of persistence. *store.Store implements it; its
// error contract is the hub's: store.ErrNotFound when the owner has no such item,
// store.ErrInvalid for a field the store refuses.
type Store interface {
	Put(ctx context.Context, m store.Message) (store.Message, bool, error)
	List(ctx context.Context, owner string) ([]store.Message, error)
	Get(ctx context.Context, owner, id string) (store.Message, error)
	Subscribe(ctx context.Context, owner string, fn func(store.Message) bool) (*store.Subscription, error)
	Ack(ctx context.Context, owner, id string) error
	AckFunc(ctx context.Context, owner, id string, done func(error))
	RegistryPut(ctx context.Context, key string, value []byte) error
	RegistryGet(ctx context.Context, key string) ([]byte, error)
	RegistryDelete(ctx context.Context, key string) error
	RegistryList(ctx context.Context, prefix string) (map[string][]byte, error)
}
