package desk

import (
	"fmt"
	"slices"

	"kefu/store"
)

// SetNotify saves one of the agent's notification switches.
func (s *AgentSession) SetNotify(scenario string, n store.Notify) error {
	if !slices.Contains(store.NotifyScenarios, scenario) {
		return fmt.Errorf("unknown notification scenario %q", scenario)
	}
	return s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(s.AgentID)
		if err != nil {
			return err
		}
		if a.Notify == nil {
			a.Notify = map[string]store.Notify{}
		}
		a.Notify[scenario] = n
		return tx.PutAgent(a)
	})
}

// SetAwayAfter saves after how many idle minutes the agent shows as away (negative: never).
func (s *AgentSession) SetAwayAfter(minutes int) error {
	if minutes > 24*60 {
		return fmt.Errorf("away after %d minutes: at most a day", minutes)
	}
	return s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(s.AgentID)
		if err != nil {
			return err
		}
		a.AwayAfter = minutes
		if minutes == 0 {
			a.AwayAfter = -1
		}
		return tx.PutAgent(a)
	})
}
