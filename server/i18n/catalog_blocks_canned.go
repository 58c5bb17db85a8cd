package i18n

// The blacklist kept by admins, and the canned replies manager's refresh, group order and
// CSV import from the workbench.
func init() {
	add(map[string]entry{
		// Blocks screen: lifting needs 设置中心 on the block's site.
		"block.err.lift_forbidden": {"解除屏蔽需要该网站的「设置中心」权限，请联系管理员。", "Lifting a block needs the settings permission on its site; please ask an admin."},
		"block.keys_list_nolift":   {"↑↓ 选择  a 生效中/全部  r 刷新 · 解除屏蔽请找管理员", "↑↓ select  a in force/all  r refresh · an admin lifts blocks"},
		"block.keys_short_nolift":  {"a 全部/生效中  r 刷新", "a all  r refresh"},

		// Canned replies manager: keys.
		"canned.key.group_up":     {"分组上移", "move the group up"},
		"canned.key.group_down":   {"分组下移", "move the group down"},
		"canned.key.import_paste": {"粘贴 CSV 导入", "import pasted CSV"},
		"canned.key.refresh":      {"刷新", "reload"},
		"canned.key.import_save":  {"导入粘贴的 CSV", "import the pasted CSV"},
		"canned.key.import_back":  {"返回常用语列表", "back to the list"},
		"canned.keys_long": {"a 添加 · e 修改 · d 删除 · K/J 上移/下移 · [ ] 分组上移/下移 · / 搜索 · i 导入 · r 刷新 · ←→ 切换",
			"a add · e edit · d delete · K/J move · [ ] move group · / search · i import · r reload · ←→ switch"},
		"canned.keys_medium":    {"a 添加 e 修改 d 删除 K/J 移动 [ ] 移动分组 / 搜索 i 导入 r 刷新 ←→ 切换", "a add e edit d del K/J move [ ] group / search i import r reload ←→ tab"},
		"canned.keys_short":     {"a 添加 e 改 d 删 K/J [ ] 移动 i 导入 F1", "a e d K/J [ ] i r · F1 help"},
		"canned.keys_ro_long":   {"/ 搜索 · r 刷新 · ←→ 切换（公共常用语只读）", "/ search · r reload · ←→ switch (public replies are read-only)"},
		"canned.keys_ro_short":  {"/ 搜索 r 刷新 ←→ 切换 · 只读", "/ search r reload ←→ · read-only"},
		"canned.none_hint_keys": {"按 a 添加；按 i 粘贴 CSV 批量导入。", "Press a to add one, or i to paste a CSV text."},

		// Canned replies manager: the CSV import form.
		"canned.import_into":       {"导入常用语 → %s", "Import canned replies → %s"},
		"canned.public_of_site":    {"公共常用语（网站 %d）", "public replies of site %d"},
		"canned.paste_placeholder": {"在这里粘贴 CSV，例如：\n分组,标题,内容,快捷键\n售前,价格,企业版每年 3980 元,price", "Paste CSV here, e.g.:\ngroup,title,text,shortcut\nSales,Price,3980 yuan a year,price"},
		"canned.paste_hint":        {"第一行是表头：分组,标题,内容,快捷键\n只有内容必填；英文表头 group,title,text,shortcut 也可以\n可从Excel复制粘贴；全部无误才导入", "The first row is the header group,title,text,shortcut\nOnly text is required; cells copied from Excel work too\nNothing is imported until every row is right"},
		"canned.paste_waiting":     {"粘贴后这里显示可导入的条数。", "Once pasted, this line says how many replies it holds."},
		"canned.checking":          {"正在检查…", "Checking…"},
		"canned.paste_ok":          {"可导入 %d 条常用语，按 Ctrl+S 导入。", "%d canned replies ready: Ctrl+S imports them."},
		"canned.paste_more":        {"……还有 %d 处问题", "…and %d more problems"},
		"canned.paste_empty":       {"还没有粘贴内容。", "Nothing pasted yet."},
		"canned.importing":         {"正在导入…", "Importing…"},
		"canned.paste_big":         {"超过 %d 字的文件请用 SSH 命令导入：", "Files over %d characters: import them over SSH:"},
		"canned.paste_keys":        {"Ctrl+S 导入 · Enter 换行 · Esc 返回", "Ctrl+S import · Enter new line · Esc back"},
		"canned.cmd_account":       {"账号", "ACCOUNT"},
		"canned.cmd_host":          {"主机", "HOST"},
		"canned.cmd_file":          {"常用语.csv", "replies.csv"},
	})
}
