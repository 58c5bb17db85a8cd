package i18n

// What visitors read when the details they give before a chat (访客注册设置) are refused.
func init() {
	add(map[string]entry{
		"visitor.err.prechat_too_long": {"填写的内容太长了：姓名最多 30 个字，邮箱最多 80 个字符。", "That is too long: a name has at most 30 characters, an email address 80."},
		"visitor.err.prechat_phone":    {"电话号码格式不正确。", "The phone number does not look right."},
		"visitor.err.prechat_email":    {"邮箱格式不正确。", "The email address does not look right."},
		"visitor.err.prechat_qq":       {"QQ 号应为 5–12 位数字。", "A QQ number has 5–12 digits."},
	})
}
