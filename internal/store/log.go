package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats-server/v2/server"
)

// serverLogger routes the embedded nats-server's logs into slog. Its notices
// (a banner of some twenty lines at start, and routine events) go at debug
// level: the store logs its own line when it opens, and the server's
// warnings and errors keep their levels. The server is never given its trace
// flag, the only level that logs message payloads.
type serverLogger struct{ l *slog.Logger }

var _ server.Logger = serverLogger{}

func (s serverLogger) log(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if s.l.Enabled(ctx, level) {
		s.l.Log(ctx, level, fmt.Sprintf(format, v...), "component", "nats-server")
	}
}

func (s serverLogger) Noticef(format string, v ...any) { s.log(slog.LevelDebug, format, v) }
func (s serverLogger) Warnf(format string, v ...any)   { s.log(slog.LevelWarn, format, v) }
func (s serverLogger) Errorf(format string, v ...any)  { s.log(slog.LevelError, format, v) }
func (s serverLogger) Debugf(format string, v ...any)  { s.log(slog.LevelDebug, format, v) }

// Fatalf logs at error level and does not exit: the hub, not a library,
// decides when the process ends.
func (s serverLogger) Fatalf(format string, v ...any) {
	s.log(slog.LevelError, "fatal: "+format, v)
}

// Tracef should never be called (trace is off); drop it rather than risk
// writing message contents to a log.
func (s serverLogger) Tracef(string, ...any) {}
