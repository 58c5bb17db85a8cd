package i18n

// The command line: kefu --help, kefu passwd and kefu admin-password.
func init() {
	add(map[string]entry{
		"cli.usage": {`kefu — 在线客服：网站上的对话插件，SSH 里的客服工作台。

用法：
  kefu [serve] [参数]          运行服务器（默认）
  kefu backup 文件 [参数]      把数据库的一致副本写入文件（运行中也可以）
  kefu passwd [账号] [参数]    为账号（默认 admin）设置新密码，须先停止 kefu
  kefu admin-password [参数]   即 kefu passwd admin：找回管理员密码
  kefu version                 显示版本
  kefu help                    显示本帮助

serve 的参数（也可用环境变量设置）：
  --data 目录        数据目录：数据库、SSH 主机密钥、文件          （KEFU_DATA，默认 ./data）
  --http 地址        访客使用的 HTTP 地址                          （KEFU_HTTP，默认 :8080）
  --ssh 地址         客服使用的 SSH 地址                           （KEFU_SSH，默认 :2222）
  --lang zh|en       界面的默认语言                                （KEFU_LANG，默认 zh）
  --trusted-proxy    可信代理的 CIDR（逗号分隔），只信它们的 X-Forwarded-For （KEFU_TRUSTED_PROXIES）
  --max-file-mb N    访客和客服可发送的最大文件，单位 MiB          （KEFU_MAX_FILE_MB，默认 20）
  --public-url URL   网站访问 kefu 的地址，用于嵌入代码            （KEFU_PUBLIC_URL，默认 http://localhost:8080）

passwd 的参数：
  --data 目录        数据目录（KEFU_DATA，默认 ./data）
  --stdin            从标准输入读取新密码（一行）；不加则生成一个并显示

首次启动时 kefu 创建站点"默认站点"和超级管理员 admin，密码取自 KEFU_ADMIN_PASSWORD，
未设置则自动生成并只显示一次；忘记了可以停止 kefu 后运行 kefu admin-password。

然后打开 http://localhost:8080/（带对话插件的演示页），并运行
  ssh -p 2222 admin@localhost
`, `kefu — online customer service: a chat widget for websites, a workbench over SSH.

Usage:
  kefu [serve] [flags]          run the server (the default)
  kefu backup FILE [flags]      write a consistent copy of the database to FILE (also while serving)
  kefu passwd [ACCOUNT] [flags] set a new password for ACCOUNT (default admin); stop kefu first
  kefu admin-password [flags]   kefu passwd admin: get back into the admin account
  kefu version                  print the version
  kefu help                     this help

Flags of serve (each also read from the environment):
  --data DIR        data directory: database, SSH host key, files   (KEFU_DATA, default ./data)
  --http ADDR       address for visitors (HTTP)                      (KEFU_HTTP, default :8080)
  --ssh ADDR        address for staff (SSH)                          (KEFU_SSH, default :2222)
  --lang zh|en      default language of the UI                      (KEFU_LANG, default zh)
  --trusted-proxy   comma-separated CIDRs whose X-Forwarded-For is believed (KEFU_TRUSTED_PROXIES)
  --max-file-mb N   largest file visitors and staff may send, in MiB      (KEFU_MAX_FILE_MB, default 20)
  --public-url URL  how websites reach kefu, for the embed code          (KEFU_PUBLIC_URL, default http://localhost:8080)

Flags of passwd:
  --data DIR        data directory (KEFU_DATA, default ./data)
  --stdin           read the new password from standard input (one line); else one is generated and printed

On first start kefu creates the site 默认站点 and the super admin "admin", whose password is
KEFU_ADMIN_PASSWORD if set, else generated and printed once; if it is lost, stop kefu and run
kefu admin-password.

Then open http://localhost:8080/ (a demo page with the widget) and run
  ssh -p 2222 admin@localhost
`},

		"cli.passwd_ok":       {"已为 %s 设置新密码：%s", "New password of %s: %s"},
		"cli.passwd_set":      {"已为 %s 设置新密码。", "The password of %s is set."},
		"cli.passwd_locked":   {"数据目录 %s 正被运行中的 kefu 使用；请先停止 kefu，再设置密码", "the data dir %s is in use by a running kefu; stop it first, then set the password"},
		"cli.passwd_no_db":    {"%s 里没有 kefu 数据库（用 --data 指定数据目录）", "there is no kefu database in %s (name the data dir with --data)"},
		"cli.passwd_no_user":  {"没有账号 %s", "there is no account %s"},
		"cli.passwd_bad":      {"密码须为 %d–%d 个字符，不含空格", "a password has %d–%d characters and no spaces"},
		"cli.passwd_disabled": {"注意：账号 %s 已停用，启用后才能登录", "note: the account %s is disabled; it logs in once enabled again"},
		"cli.passwd_usage":    {"用法：kefu passwd [账号] [--data 目录] [--stdin]", "usage: kefu passwd [ACCOUNT] [--data DIR] [--stdin]"},
	})
}
