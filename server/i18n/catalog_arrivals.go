package i18n

// The notice of many visitors entering the site at once (a campaign link, a restart).
func init() {
	add(map[string]entry{
		"toast.enter_many": {"%d 位访客进入网站 · 最新：%s · %s", "%d visitors arrived · latest: %s · %s"},
	})
}
