/*
 * kefu widget — the embed script on customers' pages:
 *
 *   <script src="https://KEFU/widget.js?site=ID" async></script>
 *
 * It reports page views over one websocket (PROTOCOL.md), shows the consult icon 咨询图标,
 * the invite window 邀请窗口 and the chat window 对话窗口 (an iframe of KEFU/chat, or of the
 * site's own address for it when the settings give one: custom_url, 自定义URL).
 * Plain ES2017, no dependencies. All of its DOM lives in a shadow root, and every string that
 * comes from a visitor, an agent or the site's settings is inserted as text, never as HTML.
 *
 * Page API:
 *   window.kefu.open()                          open the chat window
 *   window.kefu.close()                         close it
 *   window.kefu.identify({id, name, ts, sig})   a logged-in member, signed by the site's server
 * Calls made before the script has loaded can be queued: window.kefu = [['identify', {...}]].
 */
(function () {
  'use strict';

  if (window.kefu && window.kefu.__kefu) return; // the snippet was pasted twice

  const STR = {
    zh: {
      icon: '在线咨询',
      title: '在线客服',
      close: '关闭对话窗口',
      frame: '在线客服对话窗口',
      loading: '正在加载…',
      invites: '邀请您对话',
      inviteText: '您好，请问有什么可以帮您？',
      agent: '客服',
      accept: '接受',
      later: '稍后再说',
      closeInvite: '关闭邀请',
      unread: '{n} 条未读消息',
    },
    en: {
      icon: 'Chat with us',
      title: 'Customer service',
      close: 'Close chat window',
      frame: 'Customer service chat',
      loading: 'Loading…',
      invites: 'invites you to chat',
      inviteText: 'Hello! Can we help you with anything?',
      agent: 'Agent',
      accept: 'Accept',
      later: 'Not now',
      closeInvite: 'Close invitation',
      unread: '{n} unread messages',
    },
  };
  const LANG = /^zh/i.test(navigator.language || '') ? 'zh' : 'en';
  function t(key, vars) {
    const s = STR[LANG][key] || STR.zh[key] || key;
    return vars ? s.replace(/\{(\w+)\}/g, function (_, k) { return k in vars ? String(vars[k]) : ''; }) : s;
  }

  // --- where we come from -------------------------------------------------------------

  const script = document.currentScript || findScript();
  function findScript() {
    const list = document.getElementsByTagName('script');
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].src && list[i].src.indexOf('widget.js') !== -1) return list[i];
    }
    return null;
  }
  if (!script || !script.src) return;
  let src;
  try { src = new URL(script.src, location.href); } catch (e) { return; }
  const ORIGIN = src.origin;
  const BASE = ORIGIN + src.pathname.replace(/\/widget\.js$/, '');
  const SITE = src.searchParams.get('site') || '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(SITE)) {
    if (window.console) console.warn('kefu: widget.js needs ?site=ID in its src');
    return;
  }
  const WS_URL = BASE.replace(/^http/, 'ws') + '/ws?site=' + encodeURIComponent(SITE);

  // --- visitor id ---------------------------------------------------------------------

  const VID_RE = /^[A-Za-z0-9_-]{16,64}$/;

  function makeVid() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); // 22 chars
  }
  function cookieVid() {
    const m = document.cookie.match(/(?:^|;\s*)kefu_vid=([A-Za-z0-9_-]{16,64})(?:;|$)/);
    return m ? m[1] : '';
  }
  function setCookieVid(v) {
    document.cookie = 'kefu_vid=' + v + '; path=/; max-age=63072000; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
  }
  function loadVid() {
    try {
      let v = localStorage.getItem('kefu_vid');
      if (!v || !VID_RE.test(v)) {
        v = cookieVid() || makeVid();
        localStorage.setItem('kefu_vid', v);
      }
      return v;
    } catch (e) { // storage disabled or full: a first-party cookie keeps the id instead
      let v = cookieVid();
      if (!v) { v = makeVid(); setCookieVid(v); }
      return v;
    }
  }
  let VID = loadVid();

  function storeVid(v) {
    VID = v;
    try { localStorage.setItem('kefu_vid', v); } catch (e) { setCookieVid(v); }
  }

  // --- settings (cached so the icon shows at once on the next page) -------------------

  const SETTINGS_KEY = 'kefu_settings_' + SITE;
  const DEFAULT_COLOR = '#1677ff';
  let settings = null;
  try { settings = JSON.parse(localStorage.getItem(SETTINGS_KEY) || 'null'); } catch (e) { settings = null; }

  function str(v, max) { return typeof v === 'string' ? v.trim().slice(0, max || 200) : ''; }
  function cleanColor(c) {
    c = str(c, 16);
    return /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(c) ? c : DEFAULT_COLOR;
  }
  // Text on the brand colour: dark on light colours, white otherwise.
  function fgFor(hex) {
    let h = hex.slice(1);
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    const lin = function (i) {
      const c = parseInt(h.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const l = 0.2126 * lin(0) + 0.7152 * lin(2) + 0.0722 * lin(4);
    return l > 0.45 ? '#1f2329' : '#ffffff';
  }

  // --- DOM ------------------------------------------------------------------------------

  const CSS = [
    ':host{all:initial}',
    '.kf{--kf-color:' + DEFAULT_COLOR + ';--kf-fg:#fff;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif;color:#1f2329;-webkit-text-size-adjust:100%;text-size-adjust:100%}',
    '.kf *,.kf *::before,.kf *::after{box-sizing:border-box}',
    '[hidden]{display:none!important}',
    'button{font:inherit;margin:0}',
    '.kf-icon{position:fixed;z-index:2147483000;right:24px;bottom:24px;display:inline-flex;align-items:center;gap:8px;height:48px;padding:0 20px 0 16px;border:0;border-radius:24px;background:var(--kf-color);color:var(--kf-fg);font-size:15px;font-weight:600;letter-spacing:.02em;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.18),0 2px 6px rgba(0,0,0,.12);transition:transform .15s ease,box-shadow .15s ease;-webkit-tap-highlight-color:transparent}',
    '.kf-icon:hover{transform:translateY(-2px);box-shadow:0 10px 26px rgba(0,0,0,.22),0 3px 8px rgba(0,0,0,.12)}',
    '.kf-icon:focus-visible{outline:3px solid #fff;outline-offset:0;box-shadow:0 0 0 6px var(--kf-color)}',
    '.kf-icon svg{width:22px;height:22px;flex:none}',
    '.kf-icon-text{white-space:nowrap;max-width:12em;overflow:hidden;text-overflow:ellipsis}',
    '.kf.left .kf-icon{right:auto;left:24px}',
    '.kf-badge{position:absolute;top:-6px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#f53f3f;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center;box-shadow:0 0 0 2px #fff}',
    '.kf-panel{position:fixed;z-index:2147483001;right:24px;bottom:88px;width:380px;height:560px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 12px 48px rgba(0,0,0,.24),0 2px 8px rgba(0,0,0,.08);opacity:0;visibility:hidden;transform:translateY(16px) scale(.98);transform-origin:100% 100%;transition:opacity .18s ease,transform .18s ease,visibility 0s linear .18s}',
    '.kf.left .kf-panel{right:auto;left:24px;transform-origin:0 100%}',
    '.kf-panel.open{opacity:1;visibility:visible;transform:none;transition:opacity .18s ease,transform .18s ease}',
    '.kf-head{flex:none;display:flex;align-items:center;gap:10px;height:52px;padding:0 6px 0 16px;background:var(--kf-color);color:var(--kf-fg)}',
    '.kf-head svg{width:20px;height:20px;flex:none}',
    '.kf-title{flex:1;min-width:0;font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}',
    '.kf-close{flex:none;display:flex;align-items:center;justify-content:center;width:40px;height:40px;padding:0;border:0;border-radius:8px;background:transparent;color:inherit;cursor:pointer}',
    '.kf-close svg{width:20px;height:20px}',
    '.kf-close:hover{background:rgba(127,127,127,.22)}',
    '.kf-close:focus-visible{outline:2px solid currentColor;outline-offset:-4px}',
    '.kf-body{position:relative;flex:1;min-height:0;background:#f5f6f7}',
    '.kf-body iframe{position:absolute;top:0;left:0;width:100%;height:100%;border:0;display:block;background:transparent}',
    '.kf-loading{position:absolute;top:45%;left:0;right:0;text-align:center;color:#8f959e;font-size:13px}',
    '.kf.mobile .kf-icon{right:16px;bottom:16px;height:44px;padding:0 16px 0 12px;font-size:14px}',
    '.kf.mobile.left .kf-icon{left:16px}',
    '.kf.mobile .kf-panel,.kf.mobile.left .kf-panel{top:0;right:0;bottom:0;left:0;width:100%;height:100%;max-height:none;border-radius:0;transform:translateY(24px)}',
    '.kf.mobile .kf-panel.open{transform:none}',
    '.kf.mobile .kf-head{height:auto;min-height:52px;padding-top:env(safe-area-inset-top)}',
    '.kf.mobile.panel-open .kf-icon{display:none}',
    '.kf-invite{position:fixed;z-index:2147483002;left:50%;top:50%;width:340px;max-width:calc(100vw - 32px);transform:translate(-50%,-50%);background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 16px 56px rgba(0,0,0,.28),0 2px 8px rgba(0,0,0,.1);animation:kf-pop .2s ease}',
    '@keyframes kf-pop{from{opacity:0;transform:translate(-50%,-46%)}to{opacity:1;transform:translate(-50%,-50%)}}',
    '.kf-invite-head{display:flex;align-items:center;gap:12px;padding:16px 48px 16px 16px;background:var(--kf-color);color:var(--kf-fg)}',
    '.kf-avatar{flex:none;display:flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.92);color:var(--kf-color);font-size:17px;font-weight:700}',
    '.kf-invite-who{min-width:0}',
    '.kf-invite-name{display:block;font-size:15px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}',
    '.kf-invite-sub{display:block;font-size:12px;opacity:.85}',
    '.kf-invite-x{position:absolute;top:10px;right:8px;color:var(--kf-fg)}',
    '.kf-invite-text{margin:0;padding:18px 18px 6px;font-size:15px;line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere;max-height:40vh;overflow:auto}',
    '.kf-invite-actions{display:flex;gap:10px;justify-content:flex-end;padding:14px 18px 18px}',
    '.kf-btn{min-width:88px;height:38px;padding:0 16px;border:1px solid #d0d3d6;border-radius:8px;background:#fff;color:#1f2329;font-size:14px;cursor:pointer}',
    '.kf-btn:hover{background:#f2f3f5}',
    '.kf-btn:focus-visible{outline:2px solid var(--kf-color);outline-offset:2px}',
    '.kf-btn.primary{border-color:var(--kf-color);background:var(--kf-color);color:var(--kf-fg);font-weight:600}',
    '.kf-btn.primary:hover{filter:brightness(1.06)}',
    '@media (prefers-reduced-motion:reduce){.kf-icon,.kf-panel,.kf-panel.open{transition:none}.kf-invite{animation:none}}',
    '@media print{.kf{display:none}}',
  ].join('\n');

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(paths) {
    const s = document.createElementNS(SVG_NS, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('fill', 'none');
    s.setAttribute('stroke', 'currentColor');
    s.setAttribute('stroke-width', '2');
    s.setAttribute('stroke-linecap', 'round');
    s.setAttribute('stroke-linejoin', 'round');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    paths.forEach(function (d) {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      s.appendChild(p);
    });
    return s;
  }
  const ICON_CHAT = ['M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z', 'M8.5 12h.01', 'M12 12h.01', 'M15.5 12h.01'];
  const ICON_X = ['M6 6l12 12', 'M18 6L6 18'];

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function button(cls, text) {
    const b = el('button', cls, text);
    b.type = 'button';
    return b;
  }

  // Stylesheets: a constructed sheet works under the host page's CSP (a <style> element in
  // the shadow root would be blocked by style-src without 'unsafe-inline').
  function adopt(root, css) {
    try {
      if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (e) { /* fall back below */ }
    root.appendChild(el('style', null, css));
  }

  const ui = {}; // the elements, once built
  let built = false;
  let panelOpen = false;
  let unread = 0;
  const counted = new Set(); // conv:seq of agent messages already counted as unread

  function build() {
    if (built || !document.body || !document.body.attachShadow) return;
    built = true;
    const host = el('div');
    host.setAttribute('data-kefu-widget', '');
    // The page's own CSS reaches the host element (and beats :host): pin what matters.
    const pin = {
      display: 'block', position: 'static', transform: 'none', filter: 'none', contain: 'none',
      width: '0', height: '0', margin: '0', padding: '0', border: '0', overflow: 'visible',
      visibility: 'visible', opacity: '1', 'pointer-events': 'auto',
    };
    Object.keys(pin).forEach(function (k) { host.style.setProperty(k, pin[k], 'important'); });
    const root = host.attachShadow({ mode: 'open' });
    adopt(root, CSS);

    const wrap = el('div', 'kf');
    wrap.setAttribute('lang', LANG === 'zh' ? 'zh-CN' : 'en');

    const icon = button('kf-icon');
    icon.hidden = true;
    icon.setAttribute('aria-haspopup', 'dialog');
    icon.setAttribute('aria-expanded', 'false');
    const iconText = el('span', 'kf-icon-text');
    const badge = el('span', 'kf-badge');
    badge.hidden = true;
    badge.setAttribute('aria-hidden', 'true');
    icon.append(svg(ICON_CHAT), iconText, badge);
    icon.addEventListener('click', function () { if (panelOpen) closePanel(); else openPanel(); });

    const panel = el('div', 'kf-panel');
    panel.setAttribute('role', 'dialog');
    const head = el('div', 'kf-head');
    const title = el('span', 'kf-title');
    title.id = 'kf-title';
    panel.setAttribute('aria-labelledby', 'kf-title');
    const close = button('kf-close');
    close.setAttribute('aria-label', t('close'));
    close.title = t('close');
    close.appendChild(svg(ICON_X));
    close.addEventListener('click', closePanel);
    head.append(svg(ICON_CHAT), title, close);
    const body = el('div', 'kf-body');
    const loading = el('div', 'kf-loading', t('loading'));
    body.appendChild(loading);
    panel.append(head, body);
    panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') closePanel(); });

    const invite = el('div', 'kf-invite');
    invite.hidden = true;
    invite.setAttribute('role', 'dialog');
    invite.setAttribute('aria-live', 'polite');
    invite.setAttribute('aria-labelledby', 'kf-invite-name');
    invite.setAttribute('aria-describedby', 'kf-invite-text');
    const invHead = el('div', 'kf-invite-head');
    const avatar = el('span', 'kf-avatar');
    avatar.setAttribute('aria-hidden', 'true');
    const who = el('span', 'kf-invite-who');
    const invName = el('span', 'kf-invite-name');
    invName.id = 'kf-invite-name';
    who.append(invName, el('span', 'kf-invite-sub', t('invites')));
    invHead.append(avatar, who);
    const invX = button('kf-close kf-invite-x');
    invX.setAttribute('aria-label', t('closeInvite'));
    invX.appendChild(svg(ICON_X));
    const invText = el('p', 'kf-invite-text');
    invText.id = 'kf-invite-text';
    const actions = el('div', 'kf-invite-actions');
    const later = button('kf-btn', t('later'));
    const accept = button('kf-btn primary', t('accept'));
    actions.append(later, accept);
    invite.append(invHead, invX, invText, actions);
    accept.addEventListener('click', function () { answerInvite(true); });
    later.addEventListener('click', function () { answerInvite(false); });
    invX.addEventListener('click', function () { answerInvite(false); });
    invite.addEventListener('keydown', function (e) { if (e.key === 'Escape') answerInvite(false); });

    wrap.append(invite, panel, icon);
    root.appendChild(wrap);
    document.body.appendChild(host);

    Object.assign(ui, { host, wrap, icon, iconText, badge, panel, title, body, loading, invite, avatar, invName, invText, accept });
    applySettings();
    layout();
    window.addEventListener('resize', layout);
    if (pendingOpen) openPanel();
  }

  const mqNarrow = window.matchMedia ? window.matchMedia('(max-width: 600px)') : null;
  const mqCoarse = window.matchMedia ? window.matchMedia('(pointer: coarse)') : null;
  function isMobile() {
    if (mqNarrow && mqNarrow.matches) return true;
    // a phone page without a viewport meta tag still has a small screen
    return !!(mqCoarse && mqCoarse.matches && screen.width <= 600);
  }
  function layout() {
    if (built) ui.wrap.classList.toggle('mobile', isMobile());
  }

  function applySettings() {
    if (!built) return;
    const s = settings || {};
    const color = cleanColor(s.color);
    ui.wrap.style.setProperty('--kf-color', color);
    ui.wrap.style.setProperty('--kf-fg', fgFor(color));
    ui.wrap.classList.toggle('left', s.icon_pos === 'left');
    ui.iconText.textContent = str(s.icon_text, 20) || t('icon');
    ui.title.textContent = str(s.title, 60) || t('title');
    updateBadge();
    if (settings) ui.icon.hidden = false;
  }

  function updateBadge() {
    if (!built) return;
    ui.badge.hidden = unread === 0;
    ui.badge.textContent = unread > 99 ? '99+' : String(unread);
    const label = ui.iconText.textContent + (unread ? '，' + t('unread', { n: unread }) : '');
    ui.icon.setAttribute('aria-label', label);
  }
  function bumpUnread(key) {
    if (panelOpen) return;
    if (key) {
      if (counted.has(key)) return;
      counted.add(key);
    }
    unread++;
    updateBadge();
  }

  // --- chat window (iframe panel) -----------------------------------------------------

  let iframe = null;
  let frameOrigin = ORIGIN; // where the chat window is served from
  let pendingOpen = false;
  let openTimer = 0;

  // chatURL is the chat window's address: kefu's /chat, or the site's own address for it
  // (settings.custom_url, 自定义URL: a reverse proxy to kefu on the site's domain), with the
  // same parameters. A custom address a browser would refuse to frame here (http on an https
  // page) is ignored.
  function chatURL(own) {
    let u = null;
    const custom = own ? '' : str(settings && settings.custom_url, 500);
    if (custom) {
      try { u = new URL(custom); } catch (e) { u = null; }
      if (u && !(u.protocol === 'https:' || (u.protocol === 'http:' && location.protocol === 'http:'))) u = null;
      if (!u && window.console) console.warn('kefu: the custom chat URL cannot be used on this page: ' + custom);
    }
    if (!u) u = new URL(BASE + '/chat');
    u.hash = '';
    u.searchParams.set('site', SITE);
    u.searchParams.set('vid', VID);
    u.searchParams.set('embed', '1');
    return u;
  }

  function openPanel(now) {
    if (!built || (!settings && now !== true)) {
      // The chat window's address comes with the settings: wait a little for them.
      pendingOpen = true;
      if (built && !openTimer) openTimer = setTimeout(function () { openTimer = 0; if (pendingOpen) openPanel(true); }, 3000);
      return;
    }
    clearTimeout(openTimer);
    openTimer = 0;
    pendingOpen = false;
    if (!ui.invite.hidden) answerInvite(true); // opening during an invite accepts it
    if (!iframe) {
      const url = chatURL();
      frameOrigin = url.origin;
      iframe = document.createElement('iframe');
      iframe.title = t('frame');
      iframe.src = url.href;
      iframe.addEventListener('load', function () { ui.loading.hidden = true; });
      ui.body.appendChild(iframe);
    } else {
      tellFrame('shown');
    }
    panelOpen = true;
    ui.panel.classList.add('open');
    ui.wrap.classList.add('panel-open');
    ui.icon.setAttribute('aria-expanded', 'true');
    unread = 0;
    updateBadge();
    if (!isMobile()) setTimeout(function () { if (panelOpen && iframe) iframe.focus(); }, 50);
  }

  function closePanel() {
    if (!built || !panelOpen) return;
    panelOpen = false;
    ui.panel.classList.remove('open');
    ui.wrap.classList.remove('panel-open');
    ui.icon.setAttribute('aria-expanded', 'false');
    tellFrame('hidden');
    if (!ui.icon.hidden) ui.icon.focus();
  }

  // A page whose Content-Security-Policy does not let it frame the custom address (frame-src)
  // gets kefu's own chat window instead of a blank panel.
  document.addEventListener('securitypolicyviolation', function (e) {
    if (!iframe || frameOrigin === ORIGIN || !/^(frame|child|default)-src/.test(e.effectiveDirective || e.violatedDirective || '')) return;
    let blocked = '';
    try { blocked = new URL(e.blockedURI).origin; } catch (err) { return; }
    if (blocked !== frameOrigin) return;
    if (window.console) console.warn('kefu: this page may not frame ' + frameOrigin + ' (Content-Security-Policy frame-src); opening the chat window from ' + ORIGIN);
    const url = chatURL(true);
    frameOrigin = url.origin;
    iframe.src = url.href;
  });

  function tellFrame(what) {
    if (iframe && iframe.contentWindow) {
      try { iframe.contentWindow.postMessage({ kefu: what }, frameOrigin); } catch (e) { /* not loaded yet */ }
    }
  }

  // The chat page in the iframe reports new agent messages (for the unread badge) and asks
  // to be closed (Escape); nothing else is accepted, and only from that frame.
  window.addEventListener('message', function (e) {
    if (!iframe || e.source !== iframe.contentWindow || e.origin !== frameOrigin) return;
    const d = e.data;
    if (!d || typeof d !== 'object') return;
    if (d.kefu === 'close') closePanel();
    else if (d.kefu === 'unread') bumpUnread(typeof d.key === 'string' ? d.key : '');
  });

  // --- invite window ------------------------------------------------------------------

  function agentName(a) {
    if (typeof a === 'string') return a;
    if (a && typeof a === 'object') return str(a.nick, 40) || str(a.name, 40);
    return '';
  }

  function showInvite(m) {
    if (!built) return;
    const name = str(agentName(m.agent), 40) || t('agent');
    ui.invName.textContent = name;
    ui.avatar.textContent = Array.from(name)[0] || '';
    ui.invText.textContent = str(m.text, 500) || str(settings && settings.invite_text, 500) || t('inviteText');
    ui.invite.hidden = false;
  }
  function hideInvite() {
    if (built) ui.invite.hidden = true;
  }
  function answerInvite(yes) {
    if (!built || ui.invite.hidden) return;
    hideInvite();
    send({ t: 'invite', accept: yes });
    if (yes) openPanel();
  }

  // --- websocket ----------------------------------------------------------------------

  let ws = null;
  let retry = 0;
  let retryTimer = 0;
  let hbTimer = 0;
  let stopped = false; // blocked, or paused after another tab took over
  let paused = false; // bye replaced: wait until this tab is looked at again
  let member = null;

  function pageInfo(ref) {
    return {
      url: location.href.slice(0, 2000),
      title: (document.title || '').slice(0, 200),
      ref: (ref == null ? document.referrer : ref).slice(0, 2000),
    };
  }

  function send(frame) {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped || paused || ws) return;
    let sock;
    try { sock = new WebSocket(WS_URL); } catch (e) { schedule(); return; }
    ws = sock;
    sock.onopen = function () {
      if (ws !== sock) return;
      const hello = { t: 'hello', vid: VID, kind: 'page', page: pageInfo() };
      if (member) hello.member = member;
      send(hello);
      clearTimeout(hbTimer);
      // A beat every 15–25 s (20 on average; kefu waits 60): pages that connected
      // together, as all do after a restart, do not beat together.
      (function beat() {
        hbTimer = setTimeout(function () { send({ t: 'hb' }); beat(); }, 15000 + Math.random() * 10000);
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
      clearTimeout(hbTimer);
      schedule();
    };
  }

  function schedule() {
    clearTimeout(retryTimer);
    if (stopped || paused) return;
    const base = Math.min(10000, 500 * Math.pow(2, retry));
    retry++;
    retryTimer = setTimeout(connect, Math.round(base * (0.5 + Math.random() * 0.5))); // jitter stays under the cap
  }

  // reconnect now, e.g. to send a new member identity in hello
  function reconnect() {
    const old = ws;
    ws = null;
    clearTimeout(hbTimer);
    if (old) try { old.close(1000); } catch (e) { /* already closed */ }
    retry = 0;
    connect();
  }

  function handle(m) {
    switch (m.t) {
      case 'welcome':
        retry = 0;
        if (typeof m.vid === 'string' && VID_RE.test(m.vid) && m.vid !== VID) storeVid(m.vid);
        if (m.settings && typeof m.settings === 'object') {
          settings = m.settings;
          try { localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings)); } catch (e) { /* fine */ }
        } else if (!settings) {
          settings = {};
        }
        applySettings();
        if (pendingOpen) openPanel();
        break;
      case 'settings': // an admin changed the site's settings: apply them now
        if (m.settings && typeof m.settings === 'object') {
          settings = m.settings;
          try { localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings)); } catch (e) { /* fine */ }
          applySettings();
        }
        break;
      case 'open':
        openPanel();
        break;
      case 'invite':
        showInvite(m);
        break;
      case 'invite_off':
        hideInvite();
        break;
      case 'msg':
        if (m.from === 'agent' && !iframe) bumpUnread(m.conv + ':' + m.seq);
        break;
      case 'bye':
        if (m.code === 'blocked' || m.code === 'disabled') destroy();
        else if (m.code === 'replaced') paused = true; // resumes when this tab is visible again
        break;
    }
  }

  function destroy() {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(hbTimer);
    const old = ws;
    ws = null;
    if (old) try { old.close(1000); } catch (e) { /* already closed */ }
    if (built && ui.host.parentNode) ui.host.parentNode.removeChild(ui.host);
    built = false;
  }

  // --- page views ---------------------------------------------------------------------

  let lastURL = location.href;
  let pvTimer = 0;
  function pageChanged() {
    clearTimeout(pvTimer);
    // let the app set the new title first
    pvTimer = setTimeout(function () {
      if (location.href === lastURL) return;
      const ref = lastURL;
      lastURL = location.href;
      send({ t: 'pv', page: pageInfo(ref) });
    }, 300);
  }
  ['pushState', 'replaceState'].forEach(function (name) {
    const orig = history[name];
    if (typeof orig !== 'function') return;
    history[name] = function () {
      const r = orig.apply(this, arguments);
      pageChanged();
      return r;
    };
  });
  window.addEventListener('popstate', pageChanged);
  window.addEventListener('hashchange', pageChanged);

  window.addEventListener('pagehide', function (e) {
    if (stopped) return;
    if (navigator.sendBeacon) {
      try {
        navigator.sendBeacon(BASE + '/api/leave', JSON.stringify({ site: /^\d+$/.test(SITE) ? Number(SITE) : SITE, vid: VID }));
      } catch (err) { /* nothing to do while leaving */ }
    }
    if (e.persisted) { // into the back/forward cache: close now, reconnect on pageshow
      const old = ws;
      ws = null;
      clearTimeout(retryTimer);
      clearTimeout(hbTimer);
      if (old) try { old.close(1000); } catch (err) { /* already closed */ }
    }
  });
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) { retry = 0; connect(); }
  });
  window.addEventListener('online', function () {
    if (!ws) { retry = 0; connect(); }
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && paused) {
      paused = false;
      retry = 0;
      connect();
    }
  });

  // --- page API -----------------------------------------------------------------------

  function identify(m) {
    if (!m || typeof m !== 'object' || m.id == null || m.id === '') return;
    const next = {
      id: String(m.id).slice(0, 64),
      name: m.name == null ? '' : String(m.name).slice(0, 64),
      ts: Number(m.ts) || 0,
      sig: String(m.sig == null ? '' : m.sig).slice(0, 256),
    };
    if (member && member.id === next.id && member.sig === next.sig) return;
    member = next;
    if (ws) reconnect(); // the identity travels in hello
  }

  const queued = Array.isArray(window.kefu) ? window.kefu : [];
  const api = {
    __kefu: true,
    open: openPanel,
    close: closePanel,
    identify: identify,
  };
  window.kefu = api;
  queued.forEach(function (call) {
    if (Array.isArray(call) && typeof api[call[0]] === 'function' && call[0] !== '__kefu') api[call[0]].apply(null, call.slice(1));
  });

  connect();
  if (document.body) build();
  else document.addEventListener('DOMContentLoaded', build);
})();
