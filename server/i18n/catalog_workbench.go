package i18n

// The agent workbench's texts beyond the first screens: visitor detail, visitor card,
// notification settings.
func init() {
	add(map[string]entry{
		"detail.loading":     {"正在读取访客资料…", "Loading the visitor…"},
		"detail.member":      {"会员 %s %s", "member %s %s"},
		"detail.offline":     {"已离开", "offline"},
		"detail.channel":     {"渠道", "Client"},
		"detail.region":      {"地域", "Region"},
		"detail.source":      {"来源", "Source"},
		"detail.landing":     {"落地页 %s", "landed on %s"},
		"detail.visits":      {"访问", "Visits"},
		"detail.visit_facts": {"第 %d 次访问 · 对话 %d 次 · 本次停留 %s · 本次浏览 %d 页", "visit %d · %d chats · staying %s · %d pages this visit"},
		"detail.page":        {"正在看", "Reading"},
		"detail.card":        {"名片", "Card"},
		"detail.trail":       {"访客轨迹（%d 页）", "Trail (%d pages)"},
		"detail.visit_no":    {"第 %d 次访问 · %s", "Visit %d · %s"},
		"detail.no_trail":    {"没有浏览记录", "no pages yet"},
		"detail.keys":        {"↑↓ 滚动  Esc 返回", "↑↓ scroll  Esc back"},
		"key.trail":          {"访客轨迹与资料", "visitor trail and facts"},
		"card.name":          {"姓名", "Name"},
		"card.phone":         {"电话", "Phone"},
		"card.qq":            {"QQ", "QQ"},
		"card.email":         {"邮箱", "Email"},
		"card.wechat":        {"微信", "WeChat"},
		"card.company":       {"公司", "Company"},
		"card.notes":         {"备注", "Notes"},
	})
}
