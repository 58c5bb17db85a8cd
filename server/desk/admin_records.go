package desk

import (
	"kefu/server/authz"
	"kefu/store"
)

// Records (记录中心): the conversations of a site.

// Records lists a site's conversations, newest first: at most limit (0: 50) with an id below
// before (0: the newest).
func (s *AgentSession) Records(siteID, before uint64, limit int) ([]store.Conversation, error) {
	if _, _, err := s.authorize(authz.Records, siteID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out []store.Conversation
	err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.SiteConvs(siteID, before, limit)
		return err
	})
	return out, err
}
