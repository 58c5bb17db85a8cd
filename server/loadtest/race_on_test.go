//go:build race

package loadtest

// raceEnabled: this test binary runs with the race detector, so the server it starts is
// built with it too.
const raceEnabled = true
