package i18n

// Canned responses 常用语: the refusals of the desk, the picker beside a chat, the manager
// screen and the `canned` SSH command.
func init() {
	add(map[string]entry{
		// Refusals.
		"canned.err.group":          {"分组名最多 %d 个字，且只能一行", "A group name is at most %d characters on one line"},
		"canned.err.title":          {"标题最多 %d 个字，且只能一行", "A title is at most %d characters on one line"},
		"canned.err.text":           {"内容不能为空，最多 %d 个字", "The text must not be empty and is at most %d characters"},
		"canned.err.shortcut":       {"快捷键只能用小写字母、数字、_ 和 -，最多 %d 个", "A shortcut is up to %d lower-case letters, digits, _ or -"},
		"canned.err.shortcut_taken": {"快捷键 %s 已被使用", "The shortcut %s is taken"},
		"canned.err.full":           {"常用语已达上限（%d 条）", "There are already %d canned replies, the most allowed"},
		"canned.err.forbidden":      {"您没有权限操作这些常用语", "You have no permission for these canned replies"},
		"canned.err.not_found":      {"这条常用语不存在或已被删除", "That canned reply does not exist (any more)"},
		"canned.err.no_site":        {"没有这个网站", "No such site"},
		"canned.err.failed":         {"操作失败，请稍后再试", "That did not work; please try again"},
		"canned.err.line":           {"第 %d 行：%s", "line %d: %s"},
		"canned.err.csv_too_big":    {"文件太大（最多 %d KB）", "The file is too large (at most %d KB)"},
		"canned.err.csv_coding":     {"文件不是 UTF-8 或 GBK 编码", "The file is neither UTF-8 nor GBK"},
		"canned.err.csv_header":     {"第一行应是表头 group,title,text,shortcut（或 分组,标题,内容,快捷键），至少有 text 列", "The first row must be the header group,title,text,shortcut, with at least the text column"},
		"canned.err.csv_column":     {"不认识的列 %q", "Unknown column %q"},
		"canned.err.csv_extra":      {"比表头多出了列", "More columns than the header"},
		"canned.err.csv_dup":        {"快捷键 %s 与第 %d 行重复", "The shortcut %s repeats line %d"},
		"canned.err.csv_syntax":     {"CSV 格式错误（引号不成对？）", "Broken CSV (unbalanced quotes?)"},
		"canned.err.csv_empty":      {"文件里没有常用语", "The file has no canned replies"},

		// Shared words.
		"canned.title":          {"常用语", "Canned replies"},
		"canned.scope_personal": {"个人", "Mine"},
		"canned.scope_public":   {"公共", "Public"},
		"canned.group_default":  {"默认分组", "Default group"},
		"canned.none":           {"还没有常用语", "No canned replies yet"},

		// The `canned` SSH command.
		"cmd.canned": {"常用语：canned list | import | export（canned 查看用法）", "canned replies: canned list | import | export (canned alone shows how)"},
		"canned.cmd.usage": {"用法：\n" +
			"  ssh -p 端口 %[1]s@主机 canned list [--site 网站编号] [--personal] [--json]\n" +
			"  ssh -p 端口 %[1]s@主机 canned import --site 网站编号 [--personal] < 常用语.csv\n" +
			"  ssh -p 端口 %[1]s@主机 canned export --site 网站编号 [--personal] > 常用语.csv\n" +
			"CSV 第一行是表头 group,title,text,shortcut（或 分组,标题,内容,快捷键），UTF-8 或 GBK 编码；--personal 表示个人常用语",
			"usage:\n" +
				"  ssh -p PORT %[1]s@HOST canned list [--site SITE_ID] [--personal] [--json]\n" +
				"  ssh -p PORT %[1]s@HOST canned import --site SITE_ID [--personal] < replies.csv\n" +
				"  ssh -p PORT %[1]s@HOST canned export --site SITE_ID [--personal] > replies.csv\n" +
				"The CSV's first row is the header group,title,text,shortcut, in UTF-8 or GBK; --personal means your own replies"},
		"canned.cmd.imported":     {"已导入 %d 条常用语", "Imported %d canned replies"},
		"canned.cmd.col_no":       {"编号", "No."},
		"canned.cmd.col_scope":    {"范围", "Scope"},
		"canned.cmd.col_group":    {"分组", "Group"},
		"canned.cmd.col_title":    {"标题", "Title"},
		"canned.cmd.col_shortcut": {"快捷键", "Shortcut"},
		"canned.cmd.col_text":     {"内容", "Text"},

		// The picker beside a chat and the manager screen.
		"canned.mine":            {"我的常用语", "My replies"},
		"canned.public":          {"公共常用语", "Public replies"},
		"canned.search":          {"搜索", "Search"},
		"canned.search_hint":     {"标题或内容，或输入编号", "title or text, or a number"},
		"canned.loading":         {"正在读取常用语…", "Loading canned replies…"},
		"canned.none_hint":       {"在「常用语设置」里添加，或用 SSH 命令 canned import 导入 CSV。", "Add some in the canned replies settings, or import a CSV with the SSH command canned import."},
		"canned.no_match":        {"没有匹配“%s”的常用语", "Nothing matches “%s”"},
		"canned.picker_keys":     {"↑↓ 选择 · Enter 插入 · Esc 关闭", "↑↓ move · Enter insert · Esc close"},
		"canned.manager_title":   {"常用语设置", "Canned replies"},
		"canned.tab_mine":        {"我的常用语(%d)", "Mine (%d)"},
		"canned.tab_public":      {"公共常用语(%d)", "Public (%d)"},
		"canned.read_only_tag":   {" 只读", " read-only"},
		"canned.read_only":       {"公共常用语只能查看：修改需要该网站的设置中心权限", "Public replies are read-only for you: changing them needs the settings permission on the site"},
		"canned.col_no":          {"编号", "No."},
		"canned.search_keys":     {"Enter 完成 · Esc 清除搜索", "Enter done · Esc clear the search"},
		"canned.confirm_delete":  {"删除「%s」？按 y 删除，其他键取消", "Delete “%s”? y deletes, any other key keeps it"},
		"canned.deleted":         {"已删除「%s」", "Deleted “%s”"},
		"canned.saved":           {"已保存「%s」", "Saved “%s”"},
		"canned.saving":          {"正在保存…", "Saving…"},
		"canned.add_mine":        {"添加个人常用语", "New personal reply"},
		"canned.add_public":      {"添加公共常用语", "New public reply"},
		"canned.edit":            {"修改常用语", "Edit the reply"},
		"canned.form_keys":       {"Enter 下一项 · Shift+Tab 上一项 · Esc 取消", "Enter next · Shift+Tab back · Esc cancel"},
		"canned.f.group":         {"分组", "Group"},
		"canned.f.title":         {"标题", "Title"},
		"canned.f.text":          {"内容", "Text"},
		"canned.f.text_hint":     {"Alt+Enter 或 Ctrl+J 换行", "Alt+Enter or Ctrl+J for a new line"},
		"canned.f.shortcut":      {"快捷键", "Shortcut"},
		"canned.f.shortcut_hint": {"可不填；在对话输入框打 /快捷键 再按 Tab 即展开", "Optional: type /shortcut in the chat input and press Tab"},
		"canned.key.up":          {"上一条", "previous"},
		"canned.key.down":        {"下一条", "next"},
		"canned.key.page_up":     {"上一页", "page up"},
		"canned.key.page_down":   {"下一页", "page down"},
		"canned.key.choose":      {"插入到输入框", "put it in the input"},
		"canned.key.number":      {"输入编号直接选择", "type a number to choose"},
		"canned.key.close":       {"关闭常用语", "close"},
		"canned.key.scope":       {"切换我的/公共常用语", "switch mine / public"},
		"canned.key.add":         {"添加常用语", "add a reply"},
		"canned.key.edit":        {"修改", "edit"},
		"canned.key.delete":      {"删除", "delete"},
		"canned.key.move_up":     {"上移", "move up"},
		"canned.key.move_down":   {"下移", "move down"},
		"canned.key.search":      {"搜索标题或内容", "search title or text"},
	})
}
