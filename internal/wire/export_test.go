package wire

// Test hooks. Every test that reaches into a Session, Conn or handshake does so
// through this file, so a change of the internals means changing one file.

import (
	"io"
	"net"

	"backchannel/internal/identity"

	"github.com/flynn/noise"
)

// cipherSnapshot is the observable state of one direction of a session: the
// current key (after any rekeys) and the next nonce.
type cipherSnapshot struct {
	Key   [32]byte
	Nonce uint64
}

// sessionSnapshot is the whole transport state of a session, as a memory dump
// would find it.
type sessionSnapshot struct {
	Send, Recv cipherSnapshot
}

// snapshot reads the session's current cipher states under their locks.
func snapshot(s *Session) sessionSnapshot {
	s.smu.Lock()
	send := cipherSnapshot{s.send.UnsafeKey(), s.send.Nonce()}
	s.smu.Unlock()
	s.rmu.Lock()
	recv := cipherSnapshot{s.recv.UnsafeKey(), s.recv.Nonce()}
	s.rmu.Unlock()
	return sessionSnapshot{Send: send, Recv: recv}
}

// cipherOf rebuilds an independent CipherState from a snapshot, as an attacker
// holding the leaked key would.
func cipherOf(c cipherSnapshot) *noise.CipherState {
	return noise.UnsafeNewCipherState(Suite, c.Key, c.Nonce)
}

// initiateWithRand is Initiate with the ephemeral private key read from rng.
func initiateWithRand(rw io.ReadWriter, local *identity.Private, remote identity.Public, sched Schedule, rng io.Reader) (*Session, error) {
	return initiate(rw, local, remote, sched, rng)
}

// acceptWithRand is Accept with the ephemeral private key read from rng.
func acceptWithRand(rw io.ReadWriter, local *identity.Private, candidates []identity.Public, sched Schedule, rng io.Reader) (*Session, identity.Public, error) {
	return accept(rw, local, candidates, sched, rng)
}

// sessionFromCiphers builds a Session from the CipherStates of a handshake run
// outside this package's handshake code (the forger's).
func sessionFromCiphers(send, recv *noise.CipherState, hash []byte, sched Schedule) *Session {
	return newSession(send, recv, hash, sched)
}

// connOf wraps an already established session around a network connection.
func connOf(nc net.Conn, s *Session, peer identity.Public) *Conn {
	return newConn(nc, s, peer)
}

// testConfig is the genuine handshake configuration.
func testConfig(local *identity.Private, remote identity.Public, initiator bool, rng io.Reader) noise.Config {
	return config(local, remote, initiator, rng)
}

// header and flag constants, for tests that build plaintexts by hand.
const (
	testHeader    = header
	testFlagRekey = flagRekey
)
