// Package loadtest proves and measures kefu from the outside, the way visitors and agents
// meet it: kefu runs as a child process on loopback ports, visitors speak the websocket
// protocol (widget/PROTOCOL.md) from many 127.x source addresses, agents log in over SSH with
// a pty and are read from an emulated screen (tui/termtest).
//
// RunFault kills the server with SIGKILL at random moments while visitors send, restarts it,
// lets them resend what was not acknowledged and then checks the database: every
// acknowledged message stored once, with its seq, in order (`make faulttest`;
// TestFaultInjection). RunLoad drives V visitors, a steady message rate and A agents and
// reports acknowledged messages per second, send → ack and visitor → agent-screen latency,
// server RSS per visitor and CPU (`go run ./server/loadtest/kefuload`; `make bench`).
//
// Traffic goes only to 127.0.0.1 or ::1, and every run is bounded in time.
package loadtest
