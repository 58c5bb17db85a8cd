/*
 * kefu chat window 对话窗口 — /chat?site=ID[&vid=VID][&embed=1]
 *
 * Used directly (a link to the chat page) or inside the widget's iframe (embed=1). Speaks the
 * visitor protocol of PROTOCOL.md with kind "chat". Plain ES2017, no dependencies; the page
 * is served with a strict CSP, so there is no inline script or style and no HTML from strings:
 * every text from a visitor, an agent or the settings goes in with textContent.
 */
(function () {
  'use strict';

  const STR = {
    zh: {
      title: '在线客服',
      connecting: '正在连接…',
      reconnecting: '网络连接已断开，正在重新连接…',
      hello: '您好，有什么可以帮您？',
      welcome: '您好，欢迎咨询！请问有什么可以帮您？',
      online: '客服在线',
      waitingHead: '正在为您接通客服',
      waitingSub: '请稍候，客服马上就来…',
      endedThanks: '感谢您的咨询，欢迎随时再来',
      queued: '排队中',
      queuePos: '您前面还有 {n} 位访客，请稍候',
      queueNext: '马上就轮到您了，请稍候',
      serving: '正在为您服务',
      workNo: '工号 {no}',
      cardQQ: 'QQ {v}',
      cardWeChat: '微信 {v}',
      card: '客服名片',
      agent: '客服',
      offline: '客服暂时不在线',
      offlineSub: '请留言，我们会尽快与您联系',
      end: '结束对话',
      endTitle: '结束对话',
      endAsk: '确定要结束本次对话吗？',
      cancel: '取消',
      ended: '对话已结束',
      endedSub: '对话已结束，感谢您的咨询',
      me: '我',
      sending: '发送中',
      send: '发送',
      placeholder: '请输入消息…',
      placeholderNew: '输入消息，开始新的对话…',
      inputLabel: '消息内容',
      hint: 'Enter 发送，Shift+Enter 换行',
      counter: '{n}/{max}',
      emoji: '表情',
      list: '对话消息',
      dismiss: '关闭提示',
      rateTitle: '请对本次服务进行评价',
      levels: ['非常不满意', '不满意', '一般', '满意', '非常满意'],
      star: '{n} 星，{level}',
      stars: '评分',
      suggest: '意见或建议（选填）',
      rateSubmit: '提交评价',
      rateThanks: '感谢您的评价！',
      leaveTitle: '我要留言',
      leaveIntro: '留下联系方式和问题，客服上线后会第一时间回复您。电话、邮箱、QQ 至少填写一项。',
      name: '姓名',
      phone: '电话',
      email: '邮箱',
      qq: 'QQ',
      content: '留言内容',
      leaveSubmit: '提交留言',
      leaveNeedText: '请填写留言内容。',
      leaveNeedContact: '请至少填写一种联系方式：电话、邮箱或 QQ。',
      leaveBadEmail: '邮箱格式不正确。',
      leaveBadQQ: 'QQ 号应为 5–12 位数字。',
      leaveThanks: '留言已提交，我们会尽快与您联系。',
      leaveAgain: '再写一条',
      preTitle: '开始咨询前，请留下您的信息',
      preIntro: '方便客服称呼您，并在需要时及时联系您。',
      preIntroName: '方便客服称呼您。',
      preIntroContact: '方便客服在需要时及时联系您。',
      preNameHint: '怎么称呼您',
      prePhoneHint: '手机或固定电话',
      preQQHint: 'QQ 号码',
      preContacts: '联系方式',
      preContactOne: '至少填写一项',
      preStart: '开始咨询',
      prePrivacy: '您的信息仅用于为您提供咨询服务',
      preNeed: '请填写{field}。',
      preWords: { name: '您的姓名', phone: '电话号码', email: '邮箱', qq: 'QQ 号' },
      preNeedContact: '请至少填写一项：{list}。',
      preBadPhone: '电话号码格式不正确。',
      or: '、',
      blocked: '抱歉，您暂时无法发起对话。',
      replaced: '对话已在其他窗口中打开。',
      continueHere: '在此窗口继续',
      noSite: '链接不完整：缺少站点参数 site。',
      newTitle: '【新消息】',
      sysAccepted: '客服 {name} 为您服务',
      sysEndedVisitor: '您结束了对话',
      sysEndedAgent: '客服结束了对话',
      sysTransferred: '已为您转接给客服 {name}',
      attach: '发送文件',
      uploading: '正在发送文件…',
      download: '下载 {name}',
      fileNeedChat: '正在为您接通客服，接通后自动发送文件…',
      fileTooLarge: '文件太大，最大 {max}。',
      fileType: '不支持这种类型的文件。可以发送图片、PDF、Office/WPS 文档、ZIP 压缩包、TXT 和 CSV 文件。',
      fileFailed: '文件发送失败，请稍后重试。',
      errors: {
        too_long: '消息太长了，最多 2000 字。',
        rate: '发送太快了，请稍后再试。',
        blocked: '抱歉，您暂时无法发起对话。',
        bad_request: '请求无效，请刷新页面后重试。',
        no_conv: '当前没有进行中的对话。',
        frame_too_big: '发送的内容太大了，正在重新连接。',
        _: '出错了，请稍后再试。',
      },
    },
    en: {
      title: 'Customer service',
      connecting: 'Connecting…',
      reconnecting: 'Connection lost. Reconnecting…',
      hello: 'Hi! How can we help you?',
      welcome: 'Hello and welcome! How can we help you today?',
      online: 'We are online',
      waitingHead: 'Connecting you to an agent',
      waitingSub: 'Please wait, someone will be with you shortly…',
      endedThanks: 'Thank you! Come back any time.',
      queued: 'In the queue',
      queuePos: '{n} visitor(s) ahead of you, please wait',
      queueNext: 'You are next, please wait',
      serving: 'is helping you',
      workNo: 'No. {no}',
      cardQQ: 'QQ {v}',
      cardWeChat: 'WeChat {v}',
      card: 'Agent card',
      agent: 'Agent',
      offline: 'No agent is online right now',
      offlineSub: 'Leave us a message and we will get back to you',
      end: 'End chat',
      endTitle: 'End chat',
      endAsk: 'Do you want to end this chat?',
      cancel: 'Cancel',
      ended: 'The chat has ended',
      endedSub: 'The chat has ended. Thank you!',
      me: 'Me',
      sending: 'Sending',
      send: 'Send',
      placeholder: 'Type a message…',
      placeholderNew: 'Type a message to start a new chat…',
      inputLabel: 'Message',
      hint: 'Enter to send, Shift+Enter for a new line',
      counter: '{n}/{max}',
      emoji: 'Emoji',
      list: 'Chat messages',
      dismiss: 'Dismiss',
      rateTitle: 'How was our service?',
      levels: ['Very poor', 'Poor', 'Average', 'Good', 'Excellent'],
      star: '{n} stars, {level}',
      stars: 'Rating',
      suggest: 'Comments or suggestions (optional)',
      rateSubmit: 'Submit',
      rateThanks: 'Thank you for your feedback!',
      leaveTitle: 'Leave a message',
      leaveIntro: 'Leave your question and how to reach you; an agent will reply as soon as they are back. Please give a phone number, email or QQ.',
      name: 'Name',
      phone: 'Phone',
      email: 'Email',
      qq: 'QQ',
      content: 'Message',
      leaveSubmit: 'Send message',
      leaveNeedText: 'Please write your message.',
      leaveNeedContact: 'Please give at least one way to reach you: phone, email or QQ.',
      leaveBadEmail: 'The email address does not look right.',
      leaveBadQQ: 'A QQ number has 5–12 digits.',
      leaveThanks: 'Your message has been sent. We will get back to you soon.',
      leaveAgain: 'Write another',
      preTitle: 'Before we start',
      preIntro: 'Tell us who you are and how to reach you, so our agent can help you better.',
      preIntroName: 'Tell us your name, so our agent knows what to call you.',
      preIntroContact: 'Tell us how to reach you, should we need to.',
      preNameHint: 'Your name',
      prePhoneHint: 'Your number',
      preQQHint: 'QQ number',
      preContacts: 'How to reach you',
      preContactOne: 'at least one',
      preStart: 'Start chat',
      prePrivacy: 'We use these details only to help you.',
      preNeed: 'Please enter your {field}.',
      preWords: { name: 'name', phone: 'phone number', email: 'email address', qq: 'QQ number' },
      preNeedContact: 'Please fill in at least one of: {list}.',
      preBadPhone: 'The phone number does not look right.',
      or: ', ',
      blocked: 'Sorry, you cannot start a chat at the moment.',
      replaced: 'This chat is open in another window.',
      continueHere: 'Continue here',
      noSite: 'This link is incomplete: the site parameter is missing.',
      newTitle: '[New message] ',
      sysAccepted: '{name} is now serving you',
      sysEndedVisitor: 'You ended the chat',
      sysEndedAgent: 'The agent ended the chat',
      sysTransferred: 'You were transferred to {name}',
      attach: 'Send a file',
      uploading: 'Sending the file…',
      download: 'Download {name}',
      fileNeedChat: 'Connecting you to an agent; the file goes out once connected…',
      fileTooLarge: 'The file is too large (at most {max}).',
      fileType: 'This kind of file is not allowed. You can send images, PDF, Office/WPS documents, ZIP archives, TXT and CSV files.',
      fileFailed: 'The file could not be sent. Please try again later.',
      errors: {
        too_long: 'That message is too long (2,000 characters at most).',
        rate: 'You are sending too fast. Please wait a moment.',
        blocked: 'Sorry, you cannot start a chat at the moment.',
        bad_request: 'Invalid request. Please reload the page.',
        no_conv: 'There is no open chat.',
        frame_too_big: 'What was sent is too big; reconnecting.',
        _: 'Something went wrong. Please try again later.',
      },
    },
  };
  const LANG = /^zh/i.test(navigator.language || '') ? 'zh' : 'en';
  function t(key, vars) {
    const v = key in STR[LANG] ? STR[LANG][key] : STR.zh[key];
    if (typeof v !== 'string') return v;
    return vars ? v.replace(/\{(\w+)\}/g, function (_, k) { return k in vars ? String(vars[k]) : ''; }) : v;
  }

  const MAX_LEN = 2000;
  const VID_RE = /^[A-Za-z0-9_-]{16,64}$/;
  const $ = function (id) { return document.getElementById(id); };
  const params = new URLSearchParams(location.search);
  const SITE = params.get('site') || '';
  const EMBED = params.get('embed') === '1' && window.parent !== window;
  const COARSE = !!(window.matchMedia && window.matchMedia('(pointer: coarse)').matches);

  // --- small helpers ------------------------------------------------------------------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function str(v, max) { return typeof v === 'string' ? v.trim().slice(0, max || 200) : ''; }
  function p2(n) { return n < 10 ? '0' + n : String(n); }
  function when(at) {
    return new Date(typeof at === 'number' && at > 0 && at < 8.64e15 ? at : Date.now());
  }
  function fmtTime(at) {
    const d = when(at);
    const hm = p2(d.getHours()) + ':' + p2(d.getMinutes());
    return d.toDateString() === new Date().toDateString() ? hm : p2(d.getMonth() + 1) + '-' + p2(d.getDate()) + ' ' + hm;
  }
  function randomId(bytes) {
    const b = new Uint8Array(bytes);
    crypto.getRandomValues(b);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function store(kind) {
    return {
      get: function (k) { try { return window[kind].getItem(k); } catch (e) { return null; } },
      set: function (k, v) { try { window[kind].setItem(k, v); return true; } catch (e) { return false; } },
      remove: function (k) { try { window[kind].removeItem(k); } catch (e) { /* unavailable */ } },
    };
  }
  const local = store('localStorage');
  const session = store('sessionStorage');

  // --- i18n of the static page --------------------------------------------------------

  document.documentElement.lang = LANG === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach(function (e) { e.textContent = t(e.getAttribute('data-i18n')); });
  document.querySelectorAll('[data-i18n-aria]').forEach(function (e) { e.setAttribute('aria-label', t(e.getAttribute('data-i18n-aria'))); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach(function (e) { e.placeholder = t(e.getAttribute('data-i18n-placeholder')); });
  if (EMBED) document.documentElement.classList.add('embed');
  if (COARSE) document.documentElement.classList.add('touch');

  const ui = {
    app: $('app'), siteTitle: $('site-title'),
    agentbar: $('agentbar'), avatar: $('agent-avatar'), agentName: $('agent-name'), agentSub: $('agent-sub'), agentCard: $('agent-card'), end: $('btn-end'),
    connbar: $('connbar'), queue: $('queue'), notice: $('notice'), noticeText: $('notice-text'), noticeClose: $('notice-close'),
    msgs: $('msgs'), composer: $('composer'), input: $('input'), send: $('btn-send'), counter: $('counter'),
    emojiBtn: $('btn-emoji'), emoji: $('emoji'),
    leave: $('leave'), leaveForm: $('leave-form'), leaveError: $('leave-error'), leaveDone: $('leave-done'), leaveAgain: $('leave-again'),
    prechat: $('prechat'), preForm: $('pre-form'), preIntro: $('pre-intro'), preNote: $('pre-note'), preGroup: $('pre-group'),
    blocked: $('blocked'), blockedText: $('blocked-text'),
    confirm: $('confirm'), confirmYes: $('confirm-yes'), confirmNo: $('confirm-no'),
  };

  ui.fileBtn = $('btn-file');
  ui.fileInput = $('file-input');

  if (!/^[A-Za-z0-9_-]{1,64}$/.test(SITE)) {
    showBlocked(t('noSite'));
    return;
  }

  // --- visitor id and what this tab remembers -----------------------------------------

  function resolveVid() {
    const p = params.get('vid');
    const saved = local.get('kefu_vid');
    if (p && VID_RE.test(p)) {
      if (!EMBED && !(saved && VID_RE.test(saved))) local.set('kefu_vid', p);
      return p;
    }
    if (saved && VID_RE.test(saved)) return saved;
    const m = document.cookie.match(/(?:^|;\s*)kefu_vid=([A-Za-z0-9_-]{16,64})(?:;|$)/);
    if (m) return m[1];
    const v = randomId(16);
    if (!local.set('kefu_vid', v)) {
      document.cookie = 'kefu_vid=' + v + '; path=/; max-age=63072000; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
    }
    return v;
  }
  let VID = resolveVid();

  // S survives a reload of this tab (sessionStorage): the shown messages, the highest seq per
  // conversation, and the messages not yet acknowledged.
  const KEY = 'kefu_chat_' + SITE + '_' + VID;
  const S = {
    conv: null, // the open conversation (id), for hello.resume
    max: {}, // conv id -> highest seq shown
    msgs: [], // recent messages, to redraw after a reload
    outbox: [], // {cid, text, at}: sent but not yet acked
    ended: {}, // conv id -> true once its end was shown
    rated: {}, // conv id -> true once rated
    agents: {}, // conv id -> agent name (the conversation had an agent: it can be rated)
    lastEnded: null,
  };
  try { Object.assign(S, JSON.parse(session.get(KEY) || '{}')); } catch (e) { /* start afresh */ }
  if (!Array.isArray(S.msgs)) S.msgs = [];
  if (!Array.isArray(S.outbox)) S.outbox = [];
  let saveTimer = 0;
  function save() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 50);
  }
  function saveNow() {
    clearTimeout(saveTimer);
    if (S.msgs.length > 200) S.msgs = S.msgs.slice(-200);
    session.set(KEY, JSON.stringify(S));
  }
  window.addEventListener('pagehide', saveNow);

  // --- live state ---------------------------------------------------------------------

  let settings = {};
  let title = t('title');
  let online = null; // from welcome
  let cur = null; // open conversation {id, state, agent}
  let pos = 0; // queue position
  let welcomed = false; // at least one welcome on this page
  let ready = false; // welcome received on the current socket
  let chatAsked = false; // a chat frame is on its way
  let blocked = false;
  let greeting = null; // the welcome line at the top
  const later = []; // frames to send once the socket is ready
  let leaving = null; // the leave message on its way: sent again after a reconnect until 'left'
  let preWanted = false; // a chat request waits for the pre-chat form 访客注册
  let composerHidden = false; // as render last left it

  // --- message list -------------------------------------------------------------------

  // items is kept sorted by [r, s]: r orders conversations (first seen first), s the seq
  // within one. Local lines (greeting, end notice, rating) get keys that put them in place;
  // unacknowledged messages sort last.
  const PENDING_R = 1e12;
  const items = [];
  const seen = new Set();
  const pending = new Map(); // cid -> item
  const ranks = new Map();
  let pendingN = 0;
  function rankOf(conv) {
    const k = String(conv);
    if (!ranks.has(k)) ranks.set(k, ranks.size);
    return ranks.get(k);
  }
  function cmp(a, b) { return a.r - b.r || a.s - b.s; }
  function place(item) {
    const at = items.indexOf(item);
    if (at >= 0) items.splice(at, 1);
    let i = items.length;
    while (i > 0 && cmp(items[i - 1], item) > 0) i--;
    const next = items[i] ? items[i].el : null;
    if (item.el.parentNode !== ui.msgs || item.el.nextSibling !== next) ui.msgs.insertBefore(item.el, next);
    items.splice(i, 0, item);
  }
  function unplace(item) {
    const i = items.indexOf(item);
    if (i >= 0) items.splice(i, 1);
    if (item.el.parentNode) item.el.parentNode.removeChild(item.el);
  }

  const URL_RE = /https?:\/\/[^\s<>"'，。！？；、（）【】「」]+/gi;
  // Text with its web links made clickable; both go in as text nodes and href, never HTML.
  function fillText(parent, text) {
    URL_RE.lastIndex = 0;
    let last = 0;
    let m;
    while ((m = URL_RE.exec(text))) {
      let url = m[0].replace(/[.,;:!?)\]]+$/, '');
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      const a = el('a', null, url);
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      parent.appendChild(a);
      last = m.index + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function messageEl(who, name, text, at, file) {
    const row = el('div', 'msg msg-' + who);
    if (who === 'system') {
      const line = el('div', 'sys');
      fillText(line, text);
      const time = el('time', 'time', fmtTime(at));
      line.appendChild(time);
      row.appendChild(line);
      return row;
    }
    const meta = el('div', 'meta');
    const time = el('time', 'time', fmtTime(at));
    time.dateTime = when(at).toISOString();
    meta.append(el('span', 'name', name), time);
    const bubble = el('div', 'bubble');
    if (file) bubble.appendChild(fileLink(file));
    else fillText(bubble, text);
    row.append(meta, bubble);
    return row;
  }

  // A file of a message, from the server: only kefu's own download links are used.
  const FILE_URL_RE = /^\/f\/[A-Za-z0-9._~-]{64,200}\/[^/?#\\]+$/;
  function validFile(f) {
    if (!f || typeof f !== 'object' || typeof f.url !== 'string' || !FILE_URL_RE.test(f.url)) return null;
    return { name: str(f.name, 120) || 'file', size: Number(f.size) > 0 ? Number(f.size) : 0, type: str(f.type, 100), url: f.url };
  }
  function fmtSize(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1).replace(/\.0$/, '') + ' MB';
    if (n >= 1024) return (n / 1024).toFixed(1).replace(/\.0$/, '') + ' KB';
    return n + ' B';
  }
  // fileLink is a download link with the file's name and size, all as text.
  function fileLink(file) {
    const a = el('a', 'file');
    a.href = file.url;
    a.download = file.name;
    a.rel = 'noopener noreferrer';
    a.title = t('download', { name: file.name });
    const icon = el('span', 'file-icon', /^image\//.test(file.type) ? '🖼' : '📄');
    icon.setAttribute('aria-hidden', 'true');
    const info = el('span', 'file-info');
    info.append(el('span', 'file-name', file.name), el('span', 'file-size', fmtSize(file.size)));
    a.append(icon, info);
    return a;
  }

  // systemText words a system line (an event of the conversation) in the visitor's language.
  function systemText(m) {
    const name = str(m.name, 40) || t('agent');
    switch (m.event) {
      case 'accepted': return t('sysAccepted', { name: name });
      case 'ended': return m.text === 'visitor' ? t('sysEndedVisitor') : t('sysEndedAgent');
      case 'transferred': return t('sysTransferred', { name: name });
    }
    return typeof m.text === 'string' ? m.text : '';
  }

  function nearBottom() {
    const m = ui.msgs;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }
  function scrollBottom() {
    ui.msgs.scrollTop = ui.msgs.scrollHeight;
  }
  // A banner, a notice or a phone keyboard shrinks the list: keep the latest in view.
  let atBottom = true;
  ui.msgs.addEventListener('scroll', function () { atBottom = nearBottom(); }, { passive: true });
  if (window.ResizeObserver) new ResizeObserver(function () { if (atBottom) scrollBottom(); }).observe(ui.msgs);

  // addMessage shows a stored message (from msg, ack or the tab's cache) once, in seq order.
  function addMessage(m, fromCache) {
    const seq = Number(m.seq);
    if (m.conv == null || !isFinite(seq)) return false;
    const key = m.conv + ':' + seq;
    if (seen.has(key)) return false;
    seen.add(key);
    if (!(S.max[m.conv] >= seq)) S.max[m.conv] = seq;
    const from = m.from === 'visitor' || m.from === 'agent' ? m.from : 'system';
    const text = from === 'system' ? systemText(m) : typeof m.text === 'string' ? m.text : '';
    const name = from === 'visitor' ? t('me') : str(m.name, 40) || t('agent');
    const stick = from === 'visitor' || nearBottom();
    const file = from === 'system' ? null : validFile(m.file);
    const item = { r: rankOf(m.conv), s: seq, el: messageEl(from, name, text, m.at, file) };
    place(item);
    if (!fromCache) {
      S.msgs.push({ conv: m.conv, seq: seq, from: from, name: str(m.name, 40), text: text, at: m.at, file: file || undefined });
      save();
    }
    if (stick) scrollBottom();
    return true;
  }

  function addPending(o) {
    const item = { r: PENDING_R, s: pendingN++, el: messageEl('visitor', t('me'), o.text, o.at), cid: o.cid };
    item.el.classList.add('pending');
    const st = el('div', 'status', t('sending'));
    item.el.appendChild(st);
    pending.set(o.cid, item);
    place(item);
    scrollBottom();
  }

  // acked: the pending bubble becomes the stored message (conv, seq).
  function acked(cid, conv, seq, at) {
    const i = S.outbox.findIndex(function (o) { return o.cid === cid; });
    const o = i >= 0 ? S.outbox.splice(i, 1)[0] : null;
    const item = pending.get(cid);
    if (item) {
      pending.delete(cid);
      unplace(item);
    }
    if (o && conv != null && seq != null) {
      addMessage({ conv: conv, seq: seq, from: 'visitor', text: o.text, at: at || o.at });
    }
    save();
  }

  function addLocal(r, s, node) {
    const item = { r: r, s: s, el: node };
    const stick = nearBottom();
    place(item);
    if (stick) scrollBottom();
    return item;
  }

  // The site's welcome text 欢迎语, always first in the list.
  function addGreeting() {
    const text = str(settings.welcome, 1000) || t('welcome');
    if (greeting && greeting.title === title && greeting.text === text) return;
    const row = messageEl('agent', title, text, Date.now());
    row.classList.add('msg-welcome');
    row.querySelector('time').hidden = true;
    if (greeting) {
      unplace(greeting);
      greeting.el = row;
      place(greeting);
    } else {
      greeting = addLocal(-1, 0, row);
    }
    greeting.title = title;
    greeting.text = text;
  }

  function addEnded(conv) {
    const row = el('div', 'msg msg-system msg-ended');
    row.appendChild(el('div', 'sys', t('endedSub')));
    addLocal(rankOf(conv), 1e12, row);
  }

  // --- rating -------------------------------------------------------------------------

  function addRating(conv) {
    if (S.rated[conv] || !S.agents[conv]) return;
    const card = el('section', 'rate-card');
    card.setAttribute('aria-labelledby', 'rate-title-' + conv);
    const h = el('h2', 'rate-title', t('rateTitle'));
    h.id = 'rate-title-' + conv;
    const stars = el('div', 'stars');
    stars.setAttribute('role', 'radiogroup');
    stars.setAttribute('aria-label', t('stars'));
    const level = el('div', 'rate-level', '\u00a0');
    level.setAttribute('aria-hidden', 'true');
    const levels = t('levels');
    const buttons = [];
    let chosen = 0;
    function paint(n) {
      buttons.forEach(function (b, i) { b.classList.toggle('on', i < n); });
      level.textContent = n ? levels[n - 1] : '\u00a0';
    }
    function choose(n, focus) {
      chosen = n;
      buttons.forEach(function (b, i) {
        b.setAttribute('aria-checked', String(i + 1 === n));
        b.tabIndex = i + 1 === n ? 0 : -1;
      });
      paint(n);
      submit.disabled = false;
      if (focus) buttons[n - 1].focus();
    }
    for (let n = 1; n <= 5; n++) {
      const b = el('button', 'star', '★');
      b.type = 'button';
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', 'false');
      b.setAttribute('aria-label', t('star', { n: n, level: levels[n - 1] }));
      b.tabIndex = n === 1 ? 0 : -1;
      b.addEventListener('click', function () { choose(n); });
      b.addEventListener('mouseenter', function () { paint(n); });
      b.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowRight' || e.key === 'ArrowUp') { e.preventDefault(); choose(Math.min(5, (chosen || 0) + 1), true); }
        if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') { e.preventDefault(); choose(Math.max(1, (chosen || 2) - 1), true); }
      });
      buttons.push(b);
      stars.appendChild(b);
    }
    stars.addEventListener('mouseleave', function () { paint(chosen); });
    const label = el('label', 'sr-only', t('suggest'));
    label.htmlFor = 'rate-text-' + conv;
    const text = el('textarea', 'rate-text');
    text.id = 'rate-text-' + conv;
    text.rows = 2;
    text.maxLength = 500;
    text.placeholder = t('suggest');
    const submit = el('button', 'btn-primary', t('rateSubmit'));
    submit.type = 'button';
    submit.disabled = true;
    submit.addEventListener('click', function () {
      if (!chosen) return;
      whenReady({ t: 'rate', conv: conv, stars: chosen, text: text.value.trim().slice(0, 500) });
      S.rated[conv] = true;
      save();
      while (card.firstChild) card.removeChild(card.firstChild);
      card.classList.add('done');
      const thanks = el('p', 'rate-thanks', t('rateThanks'));
      const shown = el('div', 'stars-shown', '★★★★★'.slice(0, chosen) + '☆☆☆☆☆'.slice(chosen));
      shown.setAttribute('aria-hidden', 'true');
      card.append(shown, thanks);
    });
    card.append(h, stars, level, label, text, submit);
    addLocal(rankOf(conv), 1e12 + 1, card);
    scrollBottom();
  }

  // --- the header and the rest of the frame -------------------------------------------

  function agentName(a) {
    if (typeof a === 'string') return str(a, 40);
    if (a && typeof a === 'object') return str(a.nick, 40) || str(a.name, 40);
    return '';
  }

  // cardLine fills the agent's public card (客服名片: QQ, WeChat) under their name, one
  // textContent span per way to reach them, so it can be selected and copied.
  function cardLine(agent) {
    ui.agentCard.textContent = '';
    const items = [];
    if (agent && typeof agent === 'object') {
      const qq = str(String(agent.qq == null ? '' : agent.qq), 20);
      const wx = str(String(agent.wechat == null ? '' : agent.wechat), 40);
      if (qq) items.push(t('cardQQ', { v: qq }));
      if (wx) items.push(t('cardWeChat', { v: wx }));
    }
    items.forEach(function (text) { ui.agentCard.appendChild(el('span', 'card-item', text)); });
    ui.agentCard.hidden = items.length === 0;
  }

  function render() {
    if (blocked) return;
    // The site title is already above (page header or the widget's panel), so this bar
    // says who is serving, or where the visitor stands.
    let name;
    let sub;
    let initial = '';
    let state = 'idle';
    const agent = cur && cur.agent ? cur.agent : null;
    if (!welcomed) {
      name = t('connecting');
      sub = '';
      state = 'connecting';
    } else if (agent) {
      name = agentName(agent) || t('agent');
      const no = typeof agent === 'object' && agent.work_no != null ? str(String(agent.work_no), 20) : '';
      sub = no ? t('workNo', { no: no }) + ' · ' + t('serving') : t('serving');
      initial = Array.from(name)[0] || '';
      state = 'agent';
    } else if (cur && cur.state === 'queued') {
      name = t('queued');
      sub = t('waitingSub');
      state = 'waiting';
    } else if (cur) {
      name = t('waitingHead');
      sub = t('waitingSub');
      state = 'waiting';
    } else if (online === false) {
      name = t('offline');
      sub = t('offlineSub');
      state = 'offline';
    } else if (S.lastEnded != null && S.ended[S.lastEnded]) {
      name = t('ended');
      sub = t('endedThanks');
      state = 'ended';
    } else {
      name = t('online');
      sub = t('hello');
    }
    ui.agentbar.setAttribute('data-state', state);
    ui.agentName.textContent = name;
    ui.agentSub.textContent = sub;
    cardLine(state === 'agent' ? agent : null);
    ui.avatar.textContent = initial;
    ui.end.hidden = !cur;

    if (cur && cur.state === 'queued') {
      const ahead = Math.max(0, (Number(pos) || 1) - 1);
      ui.queue.textContent = ahead > 0 ? t('queuePos', { n: ahead }) : t('queueNext');
      ui.queue.hidden = false;
    } else {
      ui.queue.hidden = true;
    }

    const showLeave = welcomed && online === false && !cur;
    const showPre = !showLeave && welcomed && preWanted && !cur;
    ui.leave.hidden = !showLeave;
    ui.prechat.hidden = !showPre;
    ui.msgs.hidden = showLeave || showPre;
    ui.composer.hidden = showLeave || showPre;
    const ph = !cur && S.lastEnded != null ? t('placeholderNew') : t('placeholder');
    // The box fits its placeholder too; it can only be measured while shown.
    const measure = !ui.composer.hidden && (ui.input.placeholder !== ph || composerHidden);
    ui.input.placeholder = ph;
    if (measure) autosize();
    composerHidden = ui.composer.hidden;
  }

  function applySettings(s) {
    settings = s && typeof s === 'object' ? s : {};
    title = str(settings.title, 60) || t('title');
    ui.siteTitle.textContent = title;
    document.title = title;
    const c = str(settings.color, 16);
    if (/^#(?:[0-9a-fA-F]{3}){1,2}$/.test(c)) {
      document.documentElement.style.setProperty('--brand', c);
      document.documentElement.style.setProperty('--brand-fg', fgFor(c));
    }
    addGreeting();
  }
  function fgFor(hex) {
    let h = hex.slice(1);
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    const lin = function (i) {
      const c = parseInt(h.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(0) + 0.7152 * lin(2) + 0.0722 * lin(4) > 0.45 ? '#1f2329' : '#ffffff';
  }

  let noticeTimer = 0;
  function notice(text) {
    ui.noticeText.textContent = text;
    ui.notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { ui.notice.hidden = true; }, 8000);
  }
  ui.noticeClose.addEventListener('click', function () { ui.notice.hidden = true; });

  let connTimer = 0;
  let connText = '';
  function connState(text) {
    connText = text;
    if (!text) {
      clearTimeout(connTimer);
      connTimer = 0;
      ui.connbar.hidden = true;
      return;
    }
    if (!ui.connbar.hidden) { ui.connbar.textContent = text; return; }
    if (connTimer) return; // each retry must not restart the grace period
    // brief drops do not flash a banner
    connTimer = setTimeout(function () {
      connTimer = 0;
      if (!connText) return;
      ui.connbar.textContent = connText;
      ui.connbar.hidden = false;
    }, welcomed ? 1500 : 600);
  }

  function showBlocked(text) {
    blocked = true;
    ui.blockedText.textContent = text;
    ui.blocked.hidden = false;
    [ui.agentbar, ui.connbar, ui.queue, ui.notice, ui.msgs, ui.composer, ui.leave, ui.prechat].forEach(function (e) { e.hidden = true; });
  }

  // --- websocket ----------------------------------------------------------------------

  let ws = null;
  let retry = 0;
  let retryTimer = 0;
  let hbTimer = 0;
  let stopped = false;
  let resumed = null; // the conversation named in this socket's hello.resume

  function raw(frame) {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
  function whenReady(frame) {
    if (!(ready && raw(frame))) later.push(frame);
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped || ws) return;
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?site=' + encodeURIComponent(SITE);
    let sock;
    try { sock = new WebSocket(url); } catch (e) { schedule(); return; }
    ws = sock;
    ready = false;
    connState(welcomed ? t('reconnecting') : t('connecting'));
    sock.onopen = function () {
      if (ws !== sock) return;
      const hello = {
        t: 'hello', vid: VID, kind: 'chat',
        page: { url: location.href.slice(0, 2000), title: document.title.slice(0, 200), ref: document.referrer.slice(0, 2000) },
      };
      resumed = null;
      if (S.conv != null) {
        resumed = S.conv;
        hello.resume = { conv: S.conv, seq: S.max[S.conv] || 0 };
      }
      raw(hello);
      clearTimeout(hbTimer);
      // A beat every 15–25 s (20 on average; kefu waits 60): pages that connected
      // together, as all do after a restart, do not beat together.
      (function beat() {
        hbTimer = setTimeout(function () { raw({ t: 'hb' }); beat(); }, 15000 + Math.random() * 10000);
      })();
    };
    sock.onmessage = function (ev) {
      if (ws !== sock) return;
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && typeof m.t === 'string') handle(m);
    };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null;
      ready = false;
      chatAsked = false;
      clearTimeout(hbTimer);
      if (!stopped) {
        connState(t('reconnecting'));
        schedule();
      }
    };
  }
  function schedule() {
    clearTimeout(retryTimer);
    if (stopped) return;
    const base = Math.min(10000, 500 * Math.pow(2, retry));
    retry++;
    retryTimer = setTimeout(connect, Math.round(base * (0.5 + Math.random() * 0.5))); // jitter stays under the cap
  }
  function stop() {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(hbTimer);
    const old = ws;
    ws = null;
    ready = false;
    if (old) try { old.close(1000); } catch (e) { /* closed */ }
  }
  window.addEventListener('online', function () { if (!ws && !stopped) { retry = 0; connect(); } });

  function handle(m) {
    switch (m.t) {
      case 'welcome': onWelcome(m); break;
      case 'settings': // an admin changed the site's settings: apply them now
        if (m.settings && typeof m.settings === 'object') {
          applySettings(m.settings);
          preChatSettings();
          render();
        }
        break;
      case 'ack': if (typeof m.cid === 'string') acked(m.cid, m.conv, m.seq, m.at); break;
      case 'msg': onMsg(m); break;
      case 'conv': onConv(m.conv, m.pos); break;
      case 'open': // an agent opened a chat; its conv frame follows, the sync fills in
        if (!cur && m.conv != null && typeof m.conv !== 'object') {
          S.conv = m.conv;
          raw({ t: 'sync', conv: m.conv, after: S.max[m.conv] || 0 });
        }
        break;
      case 'online': onOnline(!!m.online); break;
      case 'left': if (leaving && m.cid === leaving.cid) leaving = null; break;
      case 'error': onError(m); break;
      case 'bye': onBye(m); break;
    }
  }

  function onWelcome(m) {
    const first = !welcomed;
    welcomed = true;
    ready = true;
    retry = 0;
    connState('');
    if (typeof m.vid === 'string' && VID_RE.test(m.vid)) VID = m.vid;
    online = !!m.online;
    applySettings(m.settings);
    preChatSettings();
    const c = m.conv && typeof m.conv === 'object' && m.conv.id != null && m.conv.state !== 'ended' ? m.conv : null;
    if (c) {
      setConv(c, m.pos != null ? m.pos : c.pos);
      if (String(resumed) !== String(c.id)) raw({ t: 'sync', conv: c.id, after: S.max[c.id] || 0 });
    } else {
      if (S.conv != null) convEnded(S.conv); // it ended while we were away
      cur = null;
      // Ask for a chat when the window is opened, not after every reconnect, and not right
      // after the visitor's chat ended (typing a message starts the next one).
      if (online && (S.outbox.length || (first && S.lastEnded == null))) askChat();
    }
    render();
    flushOutbox(true);
    if (leaving && later.indexOf(leaving) < 0) later.push(leaving); // same cid: stored once
    while (later.length && ready) raw(later.shift());
  }

  // onOnline: the first agent of the site came to the workbench, or the last one left. The
  // window offers a chat or a leave message accordingly, without a reload. A window opened
  // while nobody was there asks for its chat now, as it would have on opening, unless the
  // visitor has started (or sent) a leave message instead.
  function onOnline(on) {
    if (!welcomed || online === on) return;
    online = on;
    if (on && !cur) {
      const leavingToo = leaving || !ui.leaveDone.hidden || ui.leaveForm.elements.text.value.trim() !== '';
      if (S.outbox.length || (S.lastEnded == null && !leavingToo)) askChat();
    }
    render();
  }

  function askChat() {
    if (chatAsked || !ready) return;
    if (needPreChat()) { // the site asks who the visitor is first: the form sends the request
      openPreChat();
      return;
    }
    chatAsked = raw({ t: 'chat' });
  }

  function setConv(c, p) {
    cur = { id: c.id, state: c.state, agent: c.agent || null };
    preWanted = false; // a chat is here (an agent opened it, an invite): no form before it
    pos = p;
    if (String(S.conv) !== String(c.id)) S.conv = c.id;
    const n = agentName(c.agent);
    if (n) S.agents[c.id] = n;
    save();
  }

  function convEnded(id) {
    if (S.conv != null && String(S.conv) === String(id)) S.conv = null;
    if (cur && String(cur.id) === String(id)) cur = null;
    S.lastEnded = id;
    if (!S.ended[id]) {
      S.ended[id] = true;
      addEnded(id);
      addRating(id);
    }
    save();
  }

  function onConv(c, p) {
    if (!c || typeof c !== 'object' || c.id == null) return;
    chatAsked = false;
    if (c.state === 'ended') {
      if (c.agent) S.agents[c.id] = agentName(c.agent) || t('agent');
      convEnded(c.id);
    } else {
      setConv(c, p);
      flushOutbox(false); // those held back for want of a conversation
      if (heldFile) {
        const f = heldFile;
        heldFile = null;
        upload(f);
      }
    }
    render();
  }

  function onMsg(m) {
    if (typeof m.cid === 'string' && uploads.has(m.cid)) uploadDone(m.cid);
    if (typeof m.cid === 'string' && pending.has(m.cid)) {
      acked(m.cid, m.conv, m.seq, m.at);
      return;
    }
    if (!addMessage(m)) return;
    if (m.from === 'agent') {
      if (m.conv != null && m.name) S.agents[m.conv] = S.agents[m.conv] || str(m.name, 40);
      attention(m.conv + ':' + m.seq);
    }
  }

  function onError(m) {
    const errs = t('errors');
    if (leaving && typeof m.code === 'string' && m.code.indexOf('leave_') === 0) {
      leaveRefused(str(m.text, 300) || errs._);
      return;
    }
    if (typeof m.code === 'string' && m.code.indexOf('prechat_') === 0) {
      forgetPreChat(); // not stored: the next chat request asks again
      notice(str(m.text, 300) || errs._);
      return;
    }
    notice(str(m.text, 300) || errs[m.code] || errs._);
    if (m.code === 'blocked') {
      stop();
      showBlocked(str(m.text, 300) || t('blocked'));
    } else if (m.code === 'no_conv') {
      cur = null;
      chatAsked = false;
      render();
    }
  }

  function onBye(m) {
    if (m.code === 'blocked' || m.code === 'disabled') {
      stop();
      showBlocked(str(m.text, 300) || t('blocked'));
    } else if (m.code === 'replaced') {
      stop();
      ui.connbar.textContent = '';
      ui.connbar.appendChild(document.createTextNode(t('replaced') + ' '));
      const again = el('button', 'link', t('continueHere'));
      again.type = 'button';
      again.addEventListener('click', function () {
        stopped = false;
        retry = 0;
        ui.connbar.hidden = true;
        connect();
      });
      ui.connbar.appendChild(again);
      connText = '';
      ui.connbar.hidden = false;
    }
    // shutdown: the close that follows reconnects with backoff
  }

  // --- sending ------------------------------------------------------------------------

  function newCid() {
    return crypto.randomUUID ? crypto.randomUUID() : randomId(16);
  }

  // Resend what is not acked: everything right after a (re)connect, later whatever has
  // waited 10 s. The server stores a cid once and acks a repeat with the original seq.
  const lastSent = new Map();
  function flushOutbox(all) {
    if (!ready || !S.outbox.length) return;
    if (!cur) {
      if (online) askChat();
      if (!chatAsked) return; // offline, or the pre-chat form comes first
    }
    const now = Date.now();
    S.outbox.forEach(function (o) {
      if (!all && now - (lastSent.get(o.cid) || 0) < 10000) return;
      if (raw({ t: 'msg', cid: o.cid, text: o.text })) lastSent.set(o.cid, now);
    });
  }
  setInterval(function () { flushOutbox(false); }, 3000);

  function submit() {
    if (blocked) return;
    const text = ui.input.value.trim();
    if (!text) return;
    if (text.length > MAX_LEN) { notice(t('errors').too_long); return; }
    const o = { cid: newCid(), text: text, at: Date.now() };
    S.outbox.push(o);
    saveNow();
    addPending(o);
    ui.input.value = '';
    clearTimeout(typingTimer);
    typingText = '';
    inputChanged();
    if (ready && !cur && online) askChat();
    if (ready && (cur || chatAsked) && raw({ t: 'msg', cid: o.cid, text: o.text })) lastSent.set(o.cid, Date.now());
    if (!COARSE) ui.input.focus();
  }

  ui.composer.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  ui.input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });

  // The box grows with what is typed, up to 140 px, and scrolls only from there. Its height
  // is border-box: the content's height plus the borders (without them a one-line box is 2 px
  // short of its text and shows a scrollbar).
  function autosize() {
    const i = ui.input;
    i.style.height = 'auto';
    const h = i.scrollHeight + (i.offsetHeight - i.clientHeight);
    i.style.height = Math.min(h, 140) + 'px';
    i.style.overflowY = h > 140 ? 'auto' : 'hidden';
  }
  function inputChanged() {
    autosize();
    const n = ui.input.value.length;
    ui.send.disabled = !ui.input.value.trim();
    ui.counter.hidden = n < MAX_LEN - 200;
    ui.counter.textContent = t('counter', { n: n, max: MAX_LEN });
    ui.counter.classList.toggle('full', n >= MAX_LEN);
  }
  ui.input.addEventListener('input', function () {
    inputChanged();
    typing(ui.input.value);
  });

  // typing previews for the agent, at most two a second, the latest text last
  let typingTimer = 0;
  let typingAt = 0;
  let typingText = '';
  function typing(text) {
    if (!cur || !ready) return;
    text = text.slice(0, MAX_LEN);
    if (text === typingText) return;
    clearTimeout(typingTimer);
    const wait = 500 - (Date.now() - typingAt);
    const go = function () {
      if (!cur || !ready || ui.input.value.slice(0, MAX_LEN) !== text) return;
      typingAt = Date.now();
      typingText = text;
      raw({ t: 'typing', text: text });
    };
    if (wait <= 0) go();
    else typingTimer = setTimeout(function () { typing(ui.input.value); }, wait);
  }

  // --- files --------------------------------------------------------------------------

  // The server's limits decide (its refusal is shown as it words it); these only save the
  // visitor a pointless upload.
  const MAX_FILE = 20 * 1024 * 1024;
  const FILE_EXT_RE = /\.(png|jpe?g|gif|webp|bmp|pdf|zip|docx?|xlsx?|pptx?|odt|ods|odp|wps|et|dps|txt|csv|log)$/i;
  const uploads = new Map(); // cid -> placeholder item
  let heldFile = null; // chosen before there was a chat: sent once there is one

  ui.fileBtn.addEventListener('click', function () {
    if (blocked) return;
    ui.fileInput.value = '';
    ui.fileInput.click();
  });
  ui.fileInput.addEventListener('change', function () {
    const f = ui.fileInput.files && ui.fileInput.files[0];
    ui.fileInput.value = '';
    if (f) sendFile(f);
  });
  ui.input.addEventListener('paste', function (e) {
    const files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault();
      sendFile(files[0]);
    }
  });

  function sendFile(f) {
    if (blocked) return;
    if (f.size > MAX_FILE) { notice(t('fileTooLarge', { max: fmtSize(MAX_FILE) })); return; }
    if (/\.[A-Za-z0-9]{1,8}$/.test(f.name) && !FILE_EXT_RE.test(f.name)) { notice(t('fileType')); return; }
    if (!cur) {
      heldFile = f;
      notice(t('fileNeedChat'));
      askChat();
      return;
    }
    upload(f);
  }

  // upload sends one file as the body of POST /api/file (PROTOCOL.md); the placeholder shows
  // until the message arrives, by the answer or by the socket, whichever comes first.
  function upload(f) {
    const cid = newCid();
    const item = { r: PENDING_R, s: pendingN++, el: messageEl('visitor', t('me'), f.name, Date.now()), cid: cid };
    item.el.classList.add('pending');
    item.el.appendChild(el('div', 'status', t('uploading')));
    uploads.set(cid, item);
    place(item);
    scrollBottom();
    fetch('/api/file?site=' + encodeURIComponent(SITE), {
      method: 'POST',
      headers: { 'X-Kefu-Vid': VID, 'X-Kefu-Cid': cid, 'X-Kefu-Name': encodeURIComponent(f.name.slice(0, 200)) },
      body: f,
      cache: 'no-store',
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, j: j || {} }; });
    }).then(function (res) {
      uploadDone(cid);
      if (res.ok && res.j.conv != null && res.j.seq != null) {
        addMessage({ conv: res.j.conv, seq: res.j.seq, from: 'visitor', text: '', at: res.j.at, file: res.j.file });
        return;
      }
      notice(str(res.j.text, 300) || t('fileFailed'));
      if (res.j.code === 'no_conv' || res.j.code === 'ended') {
        cur = null;
        render();
      }
    }).catch(function () {
      uploadDone(cid);
      notice(t('fileFailed'));
    });
  }
  function uploadDone(cid) {
    const item = uploads.get(cid);
    if (!item) return;
    uploads.delete(cid);
    unplace(item);
  }

  // --- emoji --------------------------------------------------------------------------

  const EMOJI = ['😀', '😄', '😂', '😊', '😍', '🤔', '😅', '😭', '😮', '😡', '👍', '👎', '👏', '🙏', '💪', '👌', '🤝', '🎉', '❤️', '🌹', '☕', '✅', '❌', '❓'];
  EMOJI.forEach(function (e) {
    const b = el('button', 'emoji-btn', e);
    b.type = 'button';
    b.addEventListener('click', function () {
      const i = ui.input;
      if (i.value.length + e.length > MAX_LEN) return;
      const s = i.selectionStart == null ? i.value.length : i.selectionStart;
      const end = i.selectionEnd == null ? s : i.selectionEnd;
      i.value = i.value.slice(0, s) + e + i.value.slice(end);
      i.selectionStart = i.selectionEnd = s + e.length;
      toggleEmoji(false);
      i.focus();
      inputChanged();
      typing(i.value);
    });
    ui.emoji.appendChild(b);
  });
  function toggleEmoji(show) {
    ui.emoji.hidden = !show;
    ui.emojiBtn.setAttribute('aria-expanded', String(show));
  }
  ui.emojiBtn.addEventListener('click', function () { toggleEmoji(ui.emoji.hidden); });
  document.addEventListener('click', function (e) {
    if (!ui.emoji.hidden && !ui.emoji.contains(e.target) && e.target !== ui.emojiBtn) toggleEmoji(false);
  });

  // --- end chat -----------------------------------------------------------------------

  let confirmFrom = null;
  function openConfirm() {
    confirmFrom = document.activeElement;
    ui.confirm.hidden = false;
    ui.confirmNo.focus();
  }
  function closeConfirm() {
    ui.confirm.hidden = true;
    if (confirmFrom && confirmFrom.focus) confirmFrom.focus();
  }
  ui.end.addEventListener('click', openConfirm);
  ui.confirmNo.addEventListener('click', closeConfirm);
  ui.confirmYes.addEventListener('click', function () {
    closeConfirm();
    if (cur) whenReady({ t: 'end' });
  });
  ui.confirm.addEventListener('click', function (e) { if (e.target === ui.confirm) closeConfirm(); });
  ui.confirm.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.stopPropagation(); closeConfirm(); }
    if (e.key === 'Tab') { // keep focus on the two buttons
      e.preventDefault();
      (document.activeElement === ui.confirmNo ? ui.confirmYes : ui.confirmNo).focus();
    }
  });

  // --- leave a message 留言 -------------------------------------------------------------

  // How the leave-message and pre-chat forms check what a visitor gives (the server checks
  // the same).
  const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const QQ_RE = /^[0-9]{5,12}$/;

  ui.leaveForm.addEventListener('submit', function (e) {
    e.preventDefault();
    const f = ui.leaveForm.elements;
    const v = {
      name: f.name.value.trim().slice(0, 50),
      phone: f.phone.value.trim().slice(0, 30),
      email: f.email.value.trim().slice(0, 100),
      qq: f.qq.value.trim().slice(0, 20),
      text: f.text.value.trim().slice(0, MAX_LEN),
    };
    let err = '';
    let bad = null;
    if (!v.text) { err = t('leaveNeedText'); bad = f.text; }
    else if (!v.phone && !v.email && !v.qq) { err = t('leaveNeedContact'); bad = f.phone; }
    else if (v.email && !EMAIL_RE.test(v.email)) { err = t('leaveBadEmail'); bad = f.email; }
    else if (v.qq && !QQ_RE.test(v.qq)) { err = t('leaveBadQQ'); bad = f.qq; }
    [f.text, f.phone, f.email, f.qq].forEach(function (i) { i.removeAttribute('aria-invalid'); });
    if (err) {
      ui.leaveError.textContent = err;
      ui.leaveError.hidden = false;
      bad.setAttribute('aria-invalid', 'true');
      bad.focus();
      return;
    }
    ui.leaveError.hidden = true;
    leaving = { t: 'leave', cid: newCid(), name: v.name, phone: v.phone, email: v.email, qq: v.qq, text: v.text };
    whenReady(leaving);
    f.text.value = '';
    ui.leaveForm.hidden = true;
    ui.leaveDone.hidden = false;
    ui.leaveAgain.focus();
  });
  // leaveRefused puts the form back with the server's reason (the server checks what this form
  // checks, and a few things more, such as how many messages a visitor may leave an hour).
  function leaveRefused(text) {
    const f = ui.leaveForm.elements;
    if (!f.text.value) f.text.value = leaving.text;
    leaving = null;
    ui.leaveDone.hidden = true;
    ui.leaveForm.hidden = false;
    ui.leaveError.textContent = text;
    ui.leaveError.hidden = false;
  }
  ui.leaveAgain.addEventListener('click', function () {
    ui.leaveDone.hidden = true;
    ui.leaveForm.hidden = false;
    ui.leaveForm.elements.text.focus();
  });

  // --- pre-chat form 访客注册 ------------------------------------------------------------

  // A site may ask for the visitor's name, phone, email and QQ before their first chat
  // (settings.pre_chat). The name is required when asked; of the ways to reach the visitor,
  // one is enough when several are asked, and the only one is required. This browser
  // remembers (per site) which fields it was asked, and asks again only when the site asks
  // for a field it was not asked before. The server fills only the empty fields of the
  // visitor's card, so sending them again never overwrites what an agent wrote.
  const PRE_FIELDS = ['name', 'phone', 'email', 'qq'];
  const CONTACTS = ['phone', 'email', 'qq'];
  const PRE_KEY = 'kefu_prechat_' + SITE;
  const PHONE_RE = /^[0-9+ -]{6,20}$/;
  let preGiven = null; // fields asked, when storage is unavailable

  function preFields() {
    const asked = Array.isArray(settings.pre_chat) ? settings.pre_chat : [];
    return PRE_FIELDS.filter(function (f) { return asked.indexOf(f) >= 0; });
  }
  // contactsOf is the ways to reach the visitor among the fields asked.
  function contactsOf(asked) {
    return asked.filter(function (f) { return CONTACTS.indexOf(f) >= 0; });
  }
  function givenFields() {
    let v = local.get(PRE_KEY) || session.get(PRE_KEY);
    try { v = JSON.parse(v || 'null'); } catch (e) { v = null; }
    return Array.isArray(v) ? v : preGiven || [];
  }
  function needPreChat() {
    const given = givenFields();
    return preFields().some(function (f) { return given.indexOf(f) < 0; });
  }
  function rememberPreChat(fields) {
    const given = givenFields();
    const all = PRE_FIELDS.filter(function (f) { return fields.indexOf(f) >= 0 || given.indexOf(f) >= 0; });
    preGiven = all;
    const v = JSON.stringify(all);
    if (!local.set(PRE_KEY, v)) session.set(PRE_KEY, v);
  }
  function forgetPreChat() {
    preGiven = null;
    local.remove(PRE_KEY);
    session.remove(PRE_KEY);
  }

  function preInput(f) { return ui.preForm.elements[f]; }
  function preField(f) { return ui.preForm.querySelector('[data-pre="' + f + '"]'); }
  function fieldWord(f) {
    const w = t(f);
    return LANG === 'en' && f !== 'qq' ? w.toLowerCase() : w;
  }
  function needText(f) { return t('preNeed', { field: t('preWords')[f] }); }

  // buildPreForm shows the fields the site asks for now, keeping what was typed.
  function buildPreForm() {
    const asked = preFields();
    const contacts = contactsOf(asked);
    PRE_FIELDS.forEach(function (f) {
      const on = asked.indexOf(f) >= 0;
      const required = f === 'name' || (contacts.length === 1 && contacts[0] === f);
      const box = preField(f);
      box.hidden = !on;
      box.querySelector('.req').hidden = !required;
      const input = preInput(f);
      input.disabled = !on;
      if (required) input.setAttribute('aria-required', 'true');
      else input.removeAttribute('aria-required');
      input.enterKeyHint = 'next';
    });
    if (asked.length) preInput(asked[asked.length - 1]).enterKeyHint = 'go';
    const hasName = asked.indexOf('name') >= 0;
    ui.preIntro.textContent = hasName && contacts.length ? t('preIntro') : hasName ? t('preIntroName') : t('preIntroContact');
    ui.preGroup.classList.toggle('pair', contacts.indexOf('phone') >= 0 && contacts.indexOf('qq') >= 0);
    // Several ways to reach the visitor form a group of which one is enough.
    ui.preNote.hidden = contacts.length < 2;
    if (contacts.length < 2) ui.preGroup.removeAttribute('aria-labelledby');
    else ui.preGroup.setAttribute('aria-labelledby', 'pre-note');
  }

  function focusPreChat() {
    const f = preFields()[0];
    if (f) preInput(f).focus();
  }

  function openPreChat() {
    if (preWanted) return;
    preWanted = true;
    buildPreForm();
    render();
    if (!COARSE) focusPreChat();
  }

  // preChatSettings follows the site's settings while the form waits: other fields, or no
  // form at all (the chat is asked for at once).
  function preChatSettings() {
    if (!preWanted) return;
    if (needPreChat()) {
      buildPreForm();
      return;
    }
    preWanted = false;
    askChat();
  }

  // setFieldError shows what is wrong with one field; with no text but invalid set, the field
  // is marked as part of a group's error.
  function setFieldError(f, text, invalid) {
    const input = preInput(f);
    const err = $('pre-' + f + '-err');
    err.textContent = text || '';
    err.hidden = !text;
    if (text || invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  // checkPreChat returns the values to send, or null after marking what is wrong.
  function checkPreChat() {
    const asked = preFields();
    const contacts = contactsOf(asked);
    const v = {};
    PRE_FIELDS.forEach(function (f) {
      v[f] = asked.indexOf(f) >= 0 ? preInput(f).value.trim() : '';
      setFieldError(f, '');
    });
    setContactError('');
    const errs = {};
    if (asked.indexOf('name') >= 0 && !v.name) errs.name = needText('name');
    if (v.phone && !(PHONE_RE.test(v.phone) && (v.phone.match(/[0-9]/g) || []).length >= 5)) errs.phone = t('preBadPhone');
    if (v.email && !EMAIL_RE.test(v.email)) errs.email = t('leaveBadEmail');
    if (v.qq && !QQ_RE.test(v.qq)) errs.qq = t('leaveBadQQ');
    let noContact = contacts.length > 0 && !contacts.some(function (f) { return v[f]; });
    if (noContact && contacts.length === 1) {
      errs[contacts[0]] = needText(contacts[0]);
      noContact = false;
    }
    const bad = asked.filter(function (f) { return errs[f] || (noContact && CONTACTS.indexOf(f) >= 0); });
    bad.forEach(function (f) { setFieldError(f, errs[f], true); });
    if (noContact) setContactError(t('preNeedContact', { list: contacts.map(fieldWord).join(t('or')) }));
    if (bad.length) {
      preInput(bad[0]).focus();
      return null;
    }
    return v;
  }

  // setContactError marks the group of ways to reach the visitor, of which one is needed.
  function setContactError(text) {
    const err = $('pre-contact-err');
    err.textContent = text;
    err.hidden = !text;
    CONTACTS.forEach(function (f) {
      const input = preInput(f);
      if (text) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'pre-contact-err');
      } else {
        input.setAttribute('aria-describedby', 'pre-' + f + '-err');
        if (!$('pre-' + f + '-err').textContent) input.removeAttribute('aria-invalid');
      }
    });
  }

  ui.preForm.addEventListener('submit', function (e) {
    e.preventDefault();
    const v = checkPreChat();
    if (!v) return;
    const asked = preFields();
    rememberPreChat(asked);
    preWanted = false;
    whenReady({ t: 'prechat', name: v.name, phone: v.phone, email: v.email, qq: v.qq });
    if (ready) askChat();
    else later.push({ t: 'chat' });
    flushOutbox(true); // messages typed before the form
    render();
    scrollBottom();
    if (!COARSE) ui.input.focus();
  });
  // Enter moves to the next field; on the last one it starts the chat.
  ui.preForm.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229 || e.target.tagName !== 'INPUT') return;
    const shown = preFields().map(preInput);
    const i = shown.indexOf(e.target);
    if (i >= 0 && i < shown.length - 1) {
      e.preventDefault();
      shown[i + 1].focus();
    }
  });
  ui.preForm.addEventListener('input', function (e) {
    const f = e.target.name;
    if (!f || !e.target.getAttribute('aria-invalid')) return;
    setFieldError(f, '');
    if (CONTACTS.indexOf(f) >= 0 && !$('pre-contact-err').hidden) setContactError('');
  });

  // --- attention: unread badge in the widget, title in a background tab ---------------

  let visible = true; // the widget's panel is open (embedded) / the tab is shown (direct)
  let unseen = 0;
  function attention(key) {
    if (EMBED && !visible) post({ kefu: 'unread', key: key });
    if (!EMBED && document.hidden) {
      unseen++;
      document.title = t('newTitle') + title;
    }
  }
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && unseen) {
      unseen = 0;
      document.title = title;
    }
  });
  function post(data) {
    try { window.parent.postMessage(data, '*'); } catch (e) { /* detached */ }
  }
  if (EMBED) {
    // Only visibility hints come from the parent page; they carry no data.
    window.addEventListener('message', function (e) {
      if (e.source !== window.parent || !e.data || typeof e.data !== 'object') return;
      if (e.data.kefu === 'shown') {
        visible = true;
        if (!COARSE && !ui.composer.hidden) ui.input.focus();
        else if (!COARSE && !ui.prechat.hidden) focusPreChat();
      } else if (e.data.kefu === 'hidden') {
        visible = false;
      }
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && ui.confirm.hidden && ui.emoji.hidden) post({ kefu: 'close' });
    });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !ui.emoji.hidden) { toggleEmoji(false); ui.emojiBtn.focus(); }
  });

  // --- start --------------------------------------------------------------------------

  applySettings({});
  S.msgs.forEach(function (m) { addMessage(m, true); });
  Object.keys(S.ended).forEach(function (id) {
    if (S.ended[id] && ranks.has(String(id))) addEnded(id);
  });
  if (S.lastEnded != null && S.ended[S.lastEnded]) addRating(S.lastEnded);
  S.outbox.forEach(addPending);
  render();
  inputChanged();
  scrollBottom();
  if (!COARSE) ui.input.focus();
  connect();
})();
