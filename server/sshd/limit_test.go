package sshd

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"
)

func TestLimitedReaderSlowsAFlood(t *testing.T) {
	flood := bytes.Repeat([]byte("x"), inputBurst+inputBytesPerSecond/2)
	r := newLimitedReader(context.Background(), bytes.NewReader(flood))
	start := time.Now()
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != int64(len(flood)) {
		t.Fatalf("read %d, %v", n, err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("a flood past the burst was read in %v; it should be slowed to the rate", d)
	}
	// Typing-sized input passes at once.
	small := newLimitedReader(context.Background(), bytes.NewReader([]byte("你好")))
	start = time.Now()
	io.Copy(io.Discard, small)
	if time.Since(start) > 50*time.Millisecond {
		t.Fatal("small input was slowed")
	}
}

func TestLimitedReaderStopsWithTheSession(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	flood := bytes.Repeat([]byte("x"), 4*inputBurst)
	r := newLimitedReader(ctx, bytes.NewReader(flood))
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := io.Copy(io.Discard, r)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("read went on after the session ended: %v after %v", err, time.Since(start))
	}
}
