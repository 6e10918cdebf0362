package hub

import (
	"context"
	"encoding/json"
	"sort"
	"sync"

	"backchannel/internal/wire"
)

// MaxOneTimeKeys bounds the one-time keys a party may have deposited.
const MaxOneTimeKeys = 200

var otkMu sync.Mutex // serializes hand-outs so no key is given twice

// deposit keeps a party's one-time keys for sealed messages to it.
func (h *Hub) deposit(ctx context.Context, code string, keys []wire.OneTimeKey) error {
	if len(keys) == 0 {
		return refuse(wire.CodeBadFrame, "keys: empty; expected one-time keys to deposit")
	}
	otkMu.Lock()
	defer otkMu.Unlock()
	have, err := h.cfg.Store.RegistryList(ctx, otkPrefix(code))
	if err != nil {
		return err
	}
	if len(have)+len(keys) > MaxOneTimeKeys {
		return refuse(wire.CodeConflict, "keys: %d held and %d more would pass the bound of %d", len(have), len(keys), MaxOneTimeKeys)
	}
	for i, k := range keys {
		if !ValidID(k.KID) || len(k.Pub) != 32 {
			return refuse(wire.CodeBadFrame, "keys[%d]: expected a kid and a 32-byte pub", i)
		}
		for peer, tag := range k.Tags {
			if !ValidCode(peer) || len(tag) != 32 {
				return refuse(wire.CodeBadFrame, "keys[%d].tags.%s: expected a party code and a 32-byte tag", i, peer)
			}
		}
	}
	for _, k := range keys {
		b, err := json.Marshal(k)
		if err != nil {
			return err
		}
		if err := h.cfg.Store.RegistryPut(ctx, otkPrefix(code)+k.KID, b); err != nil {
			return err
		}
	}
	return nil
}

// peerKey hands out one of peer's one-time keys to code, once, with the tag the
// peer made for code. Only a party sharing a channel with peer may ask.
func (h *Hub) peerKey(ctx context.Context, code, peer string) (*wire.PeerKey, error) {
	m := h.Members()
	p := m.Parties[peer]
	if p == nil || !m.SharesChannel(code, peer) {
		return nil, refuse(wire.CodeForbidden, "peer: %q is not a party sharing a channel with %s", peer, code)
	}
	otkMu.Lock()
	defer otkMu.Unlock()
	have, err := h.cfg.Store.RegistryList(ctx, otkPrefix(peer))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(have))
	for n := range have {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var k wire.OneTimeKey
		if err := json.Unmarshal(have[n], &k); err != nil {
			h.log.Error("a stored one-time key does not decode; dropping it", "party", peer, "err", err)
			_ = h.cfg.Store.RegistryDelete(ctx, n)
			continue
		}
		tag := k.Tags[code]
		if tag == nil {
			continue // made before code was introduced; kept for the others
		}
		if err := h.cfg.Store.RegistryDelete(ctx, n); err != nil {
			return nil, err
		}
		return &wire.PeerKey{Peer: peer, Static: p.Key.String(), KID: k.KID, Pub: k.Pub, Tag: tag}, nil
	}
	return nil, refuse(wire.CodeExhausted, "peer: %s has no one-time key left for you; it deposits more when its desk next connects", peer)
}
