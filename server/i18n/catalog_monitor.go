package i18n

// The visitor monitor (访客监控): shorter column headers for when a column is narrow, and the
// words for a campaign-tagged source.
func init() {
	add(map[string]entry{
		"col.channel_short": {"渠道", "Chan"},
		"col.visits_short":  {"访问", "Vis"},
		"col.stay_short":    {"停留", "Stay"},
		"col.last_short":    {"最后活动", "Last"},
		"col.source_short":  {"来源", "Source"},
		"col.agent_short":   {"客服", "Agent"},
		// A landing page tagged utm_source=… and nothing else telling where the visitor came
		// from; %s is the tag, with the keyword in brackets when there is one.
		"source.utm": {"推广:%s", "utm: %s"},
	})
}
