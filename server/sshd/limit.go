package sshd

import (
	"context"
	"io"

	"golang.org/x/time/rate"
)

// Input limits of a workbench session: keystrokes and pastes are far below this; a flood is
// read slowly, so SSH flow control pushes back on that one client and nobody else waits.
const (
	inputBytesPerSecond = 32 << 10
	inputBurst          = 64 << 10
)

// limitedReader reads from r no faster than the limiter allows.
type limitedReader struct {
	ctx context.Context
	r   io.Reader
	lim *rate.Limiter
}

func newLimitedReader(ctx context.Context, r io.Reader) *limitedReader {
	return &limitedReader{ctx: ctx, r: r, lim: rate.NewLimiter(inputBytesPerSecond, inputBurst)}
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if len(p) > inputBurst {
		p = p[:inputBurst]
	}
	n, err := l.r.Read(p)
	if n > 0 {
		if werr := l.lim.WaitN(l.ctx, n); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}
