package i18n

// What a visitor reads when their socket is refused a frame over the size limit.
func init() {
	add(map[string]entry{
		"visitor.err.frame_too_big": {"发送的内容太大了（最多 16 KB），连接已断开，正在重新连接。", "What was sent is too big (at most 16 KB); the connection closed and is reconnecting."},
	})
}
