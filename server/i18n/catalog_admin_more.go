package i18n

// More admin texts: the agent's own SSH keys, groups within a site, the
// built-in roles in English, and refusals of duplicate sites and unknown genders.
func init() {
	add(map[string]entry{
		"admin.own_keys":         {"我的 SSH 公钥 · %s", "My SSH keys · %s"},
		"admin.form.add_own_key": {"添加我的 SSH 公钥", "Add one of my SSH keys"},
		"admin.key_added":        {"已添加公钥。", "Key added."},
		"admin.key_removed":      {"已删除公钥。", "Key removed."},
		"admin.keys_login":       {"登记过的任一公钥都可以免密码登录：ssh -p %s 账号@主机", "Any key listed logs in without a password: ssh -p %s ACCOUNT@HOST"},

		"admin.role.super": {"超级管理员", "Super admin"},
		"admin.role.app":   {"应用管理员", "App admin"},
		"admin.role.agent": {"普通客服", "Agent"},

		"admin.seat_on":  {"启用", "on"},
		"admin.seat_off": {"停用", "off"},

		"admin.key.move":       {"移动到", "move to"},
		"admin.form.move":      {"移动分组 · %s", "Move to a group · %s"},
		"admin.f.move_to":      {"移动到", "Move to"},
		"admin.no_group":       {"（不分组）", "(no group)"},
		"admin.moved":          {"已将 %s 移动到 %s。", "Moved %s to %s."},
		"admin.no_other_group": {"没有其他分组，按 e 新建分组。", "No other group yet: press e to make one."},
		"admin.f.group_hint":   {"已有或新的分组名", "an existing or a new group"},
		"admin.list_sep":       {"、", ", "},
		"admin.f.zero_off":     {"0 表示不按此项", "0: not by this"},
		"admin.detail.embed_json": {"（终端窄时地址会折行；完整的一行也可由 ssh -p %s 账号@主机 site list --json 的 embed 字段取得。）",
			"(A narrow terminal wraps the address; ssh -p %s ACCOUNT@HOST site list --json prints the whole line as embed.)"},

		"cmd.records_list":       {"列出网站的对话记录（记录中心）", "list a site's conversations (records)"},
		"cmd.usage_records_list": {"records list [--site 网站ID] [--before 对话ID] [--limit 条数] [--json]", "records list [--site SITE_ID] [--before CONV_ID] [--limit N] [--json]"},
		"cmd.col.visitor":        {"访客", "Visitor"},
		"cmd.col.agent_id":       {"客服ID", "Agent ID"},
		"cmd.col.created":        {"开始时间", "Started"},
		"cmd.col.ended":          {"结束时间", "Ended"},
		"cmd.conv_state.waiting": {"请求中", "waiting"},
		"cmd.conv_state.queued":  {"排队", "queued"},
		"cmd.conv_state.open":    {"对话中", "open"},
		"cmd.conv_state.ended":   {"已结束", "ended"},

		"admin.err.site_taken": {"已有同名的网站，请换一个名称。", "A site with that name exists; choose another name."},
		"admin.err.gender":     {"性别只能是 male（男）或 female（女）。", "Gender is male or female."},
	})
}
