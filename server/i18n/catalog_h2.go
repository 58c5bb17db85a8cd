package i18n

// The blacklist kept by admins, and the canned replies manager's refresh, group order and
// CSV import from the workbench.
func init() {
	add(map[string]entry{
		// Blocks screen: lifting needs 设置中心 on the block's site.
		"block.err.lift_forbidden": {"解除屏蔽需要该网站的「设置中心」权限，请联系管理员。", "Lifting a block needs the settings permission on its site; please ask an admin."},
		"block.keys_list_nolift":   {"↑↓ 选择  a 生效中/全部  r 刷新 · 解除屏蔽请找管理员", "↑↓ select  a in force/all  r refresh · an admin lifts blocks"},
		"block.keys_short_nolift":  {"a 全部/生效中  r 刷新", "a all  r refresh"},
	})
}
