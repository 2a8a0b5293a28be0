/*
 * Engram's web console. Everything it shows comes from the REST API and is untrusted: memory texts,
 * metadata, entity names, ids and error messages alike. So the DOM is only ever built with
 * createElement / createElementNS and textContent (the el() and svgEl() helpers below), never parsed
 * from strings, and URLs are only built on our own /ui/ path with URLSearchParams. The page runs under
 * a CSP without 'unsafe-inline', so there are no inline handlers or styles either: every listener is
 * attached here, and the few computed styles go through the CSSOM.
 */
(() => {
  'use strict';

  // ---------------------------------------------------------------- constants

  /** Where the key lives: this tab's sessionStorage only, never localStorage, a cookie or the URL. */
  const KEY_STORAGE = 'engram.apiKey';
  const SCOPE_TYPES = ['user', 'agent', 'run', 'app'];
  const SCOPE_GROUP_TITLES = { user: 'Users', agent: 'Agents', run: 'Runs', app: 'Apps' };
  const TABS = ['memories', 'search', 'graph', 'jobs', 'server'];
  /** The tabs that show one scope's data; the others are about the whole server. */
  const SCOPED_TABS = new Set(['memories', 'search', 'graph']);
  const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'icontains'];
  /** Memory fields the filter language knows besides metadata keys (docs/api.md, Filters). */
  const FILTER_FIELDS = ['user_id', 'agent_id', 'run_id', 'actor_id', 'role', 'created_at', 'updated_at'];
  const SCORE_PARTS = [
    ['semantic_score', 'Semantic'], ['keyword_score', 'Keyword'], ['graph_score', 'Graph'],
    ['rerank_score', 'Rerank'], ['final_score', 'Final'],
  ];
  const JOB_STATUSES = new Set(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED']);
  const NODE_TYPES = new Set(['person', 'place', 'organization']);
  /** The relationship the heuristic graph writes between any two entities one memory names. */
  const GENERIC_RELATIONSHIP = 'related_to';
  const HEALTH_INTERVAL_MS = 30000;
  const TOAST_MS = 4000;
  /** The graph draws at most this many entities (the most mentioned), so the layout stays quick. */
  const GRAPH_NODE_LIMIT = 150;
  /** The API's largest page for graph listings. */
  const GRAPH_PAGE_SIZE = 1000;
  const JOBS_PAGE_SIZE = 25;

  // ---------------------------------------------------------------- state

  const state = {
    /** The API key in use, or null on a server that needs none. */
    key: null,
    signedIn: false,
    /** GET /entities: the scopes with their memory counts. */
    entities: [],
    /** The open scope, {type, id}, or null. */
    scope: null,
    tab: 'memories',
    /** Scoped tabs already loaded for the open scope. */
    loaded: new Set(),
    memories: freshMemoriesState(25),
    graph: freshGraphState(),
    jobs: { page: 1, hasNext: false },
    /** The memory the edit dialog is changing. */
    editing: null,
  };

  function freshMemoriesState(pageSize) {
    return {
      page: 1, pageSize, filters: null, showExpired: false, showSuperseded: false,
      rows: [], count: 0, hasNext: false, selected: new Set(),
    };
  }

  function freshGraphState() {
    // stops: the moments the slider can show (ISO strings as the server wrote them), oldest first;
    // the slider's last position, one past them, is "now".
    return {
      includeHistory: false, stops: null, position: 0, focus: null,
      entities: [], relations: [], nodes: [], edges: [], drawnWidth: 0,
    };
  }

  // ---------------------------------------------------------------- DOM helpers

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  /** Builds an element. String and number children become text nodes, so data can never become markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attrs);
    appendChildren(node, children);
    return node;
  }

  function svgEl(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttributes(node, attrs);
    appendChildren(node, children);
    return node;
  }

  function setAttributes(node, attrs) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'style' || (name === 'href' && !String(value).startsWith('/ui/'))) {
        throw new Error(`el(): refusing to set ${name}`);
      }
      if (name === 'dataset') {
        Object.assign(node.dataset, value);
      } else if (name.startsWith('on')) {
        if (typeof value !== 'function') throw new Error(`el(): ${name} must be a function`);
        node.addEventListener(name.slice(2), value);
      } else {
        node.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  /** Puts a message in an error element (or hides it when the message is empty). */
  function setMessage(id, message) {
    const node = $(id);
    node.textContent = message || '';
    node.hidden = !message;
  }

  function button(label, attrs) {
    return el('button', { type: 'button', class: 'button small', ...attrs }, label);
  }

  /** 16px line icons, drawn as SVG paths (no image requests, nothing but our own markup). */
  const ICONS = {
    edit: 'M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4',
    history: 'M12 7v5l3 2 M3.5 12a8.5 8.5 0 1 0 2.6-6.1 M3 4v4h4',
    delete: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6',
  };

  /** A compact button showing an icon; its name is the label, for screen readers and as a tooltip. */
  function iconButton(icon, label, attrs) {
    return el('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label, ...attrs },
      svgEl('svg', { viewBox: '0 0 24 24', width: '16', height: '16', 'aria-hidden': 'true', focusable: 'false' },
        svgEl('path', { d: ICONS[icon] })));
  }

  /** Runs an async event handler and shows what it throws, so no promise is ever left unhandled. */
  function handler(fn) {
    return (event) => {
      Promise.resolve()
        .then(() => fn(event))
        .catch((error) => toast(error.message || String(error), 'error'));
    };
  }

  function on(id, type, fn) {
    $(id).addEventListener(type, handler(fn));
  }

  let toastTimer = 0;

  function toast(message, tone) {
    const node = $('toast');
    node.textContent = message;
    node.dataset.tone = tone || 'info';
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, TOAST_MS);
  }

  // ---------------------------------------------------------------- formatting

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  const thisYearFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
  const dayYearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  const clockFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  const numberFormat = new Intl.NumberFormat();

  /** A server time in local time: the year left out when it is this year's, seconds when precise. */
  function formatDate(iso, precise) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return iso ? String(iso) : '—';
    if (precise) return preciseFormat.format(date);
    return (date.getFullYear() === new Date().getFullYear() ? thisYearFormat : dateFormat).format(date);
  }

  /** A <time> element: the local date shown, the server's exact value in the tooltip. */
  function timeEl(iso) {
    if (!iso) return el('span', { class: 'muted' }, '—');
    return el('time', { datetime: iso, title: iso }, formatDate(iso));
  }

  /** The same on two lines, day over time of day, for narrow table columns. */
  function stackedTime(iso) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return timeEl(iso);
    const sameYear = date.getFullYear() === new Date().getFullYear();
    return el('time', { datetime: iso, title: iso, class: 'stacked-time' },
      el('span', {}, (sameYear ? dayFormat : dayYearFormat).format(date)),
      el('span', { class: 'muted' }, clockFormat.format(date)));
  }

  function formatBytes(bytes) {
    if (!Number.isFinite(bytes)) return '—';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
  }

  function formatDuration(seconds) {
    if (!Number.isFinite(seconds)) return '—';
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 60) return `${seconds.toFixed(1)} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} days`;
  }

  function plural(count, one, many) {
    return `${numberFormat.format(count)} ${count === 1 ? one : many || `${one}s`}`;
  }

  function truncate(text, length) {
    const value = String(text ?? '');
    return value.length > length ? `${value.slice(0, length - 1)}…` : value;
  }

  /** A metadata or configuration value as text: strings as they are, anything else as JSON. */
  function valueText(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  function formatScore(value) {
    return Number.isFinite(value) ? value.toFixed(3) : '—';
  }

  // ---------------------------------------------------------------- the API

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
    }
  }

  /** A readable sentence from the server's `detail`: a string, or 422's list of {loc, msg}. */
  function describeDetail(detail) {
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map((problem) => {
        const where = Array.isArray(problem.loc) ? problem.loc.filter((part) => part !== 'body').join(' › ') : '';
        return where ? `${where}: ${problem.msg}` : String(problem.msg ?? JSON.stringify(problem));
      }).join('; ');
    }
    return JSON.stringify(detail);
  }

  function errorFromResponse(status, text) {
    let message = `The server answered ${status}.`;
    try {
      const body = JSON.parse(text);
      if (body && body.detail !== undefined) message = describeDetail(body.detail);
    } catch {
      // Not JSON (a proxy's page, say): the status says enough.
    }
    return new ApiError(status, message);
  }

  /** A path with query parameters; empty values are left out. */
  function apiPath(path, params) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && value !== '' && value !== false) query.set(name, String(value));
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  }

  /** One request with the key; answers the body text, or throws an ApiError with the server's detail. */
  async function request(method, path, body, accept) {
    const headers = { Accept: accept || 'application/json' };
    if (state.key) headers['X-API-Key'] = state.key;
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, 'The server did not answer. Is it still running?');
    }
    const text = await response.text();
    if (!response.ok) {
      const error = errorFromResponse(response.status, text);
      if (response.status === 401 && state.signedIn) keyRefused(error.message);
      throw error;
    }
    return text;
  }

  async function api(method, path, body) {
    const text = await request(method, path, body);
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(0, 'The server answered with something that is not JSON.');
    }
  }

  const memoryPath = (id, tail) => `/memories/${encodeURIComponent(id)}${tail || ''}`;

  /** The scope as query or body fields of the open-source routes: {user_id: "alice"}. */
  function scopeFields(scope) {
    return { [`${scope.type}_id`]: scope.id };
  }

  // App scopes are not scopes of the open-source routes (they take user, agent and run ids), so the
  // console reads and writes them through the platform routes, which filter on app_id.
  const isAppScope = (scope) => scope && scope.type === 'app';

  function listMemories(scope, options) {
    const paging = { page: options.page, page_size: options.pageSize };
    if (isAppScope(scope)) {
      return api('POST', apiPath('/v3/memories/', paging),
        { filters: { app_id: scope.id }, show_expired: options.showExpired });
    }
    return api('GET', apiPath('/memories', {
      ...scopeFields(scope), ...paging,
      filters: options.filters ? JSON.stringify(options.filters) : null,
      show_expired: options.showExpired, include_superseded: options.showSuperseded,
    }));
  }

  function addMemory(scope, { text, infer, metadata, expirationDate }) {
    if (isAppScope(scope)) {
      return api('POST', '/v1/memories/', {
        messages: [{ role: 'user', content: text }], app_id: scope.id, infer, metadata,
        expiration_date: expirationDate, async_mode: false, output_format: 'v1.1',
      });
    }
    return api('POST', '/memories', {
      messages: text, ...scopeFields(scope), infer, metadata, expiration_date: expirationDate,
    });
  }

  function searchMemories(scope, { query, topK, asOf, showExpired }) {
    if (isAppScope(scope)) {
      return api('POST', '/v3/memories/search/', { query, filters: { app_id: scope.id }, top_k: topK });
    }
    return api('POST', '/search', {
      query, ...scopeFields(scope), top_k: topK, explain: true, as_of: asOf, show_expired: showExpired || undefined,
    });
  }

  // ---------------------------------------------------------------- sign-in

  async function boot() {
    wireControls();
    state.key = sessionStorage.getItem(KEY_STORAGE);
    checkHealth();
    setInterval(checkHealth, HEALTH_INTERVAL_MS);
    await probe();
  }

  /** Asks for the scopes with what we have (a saved key, or none): in, or to the sign-in form. */
  async function probe() {
    setMessage('boot-message', 'Connecting to the server…');
    show($('boot-retry'), false);
    try {
      enterConsole(await api('GET', '/entities'));
    } catch (error) {
      if (error.status === 401) {
        const hadKey = state.key !== null;
        forgetKey();
        showSignIn(hadKey ? 'The saved key was refused. Sign in again.' : '');
      } else {
        setMessage('boot-message', `The console could not load: ${error.message}`);
        show($('boot-retry'), true);
      }
    }
  }

  function showView(name) {
    show($('boot-view'), name === 'boot');
    show($('sign-in-view'), name === 'sign-in');
    show($('app-view'), name === 'app');
  }

  function showSignIn(message) {
    showView('sign-in');
    show($('sign-out'), false);
    show($('open-server-note'), false);
    setMessage('sign-in-error', message);
    $('sign-in-key').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $('sign-in-key');
    const key = input.value.trim();
    if (!key) {
      setMessage('sign-in-error', 'Enter the API key.');
      return;
    }
    const submit = $('sign-in-submit');
    submit.disabled = true;
    setMessage('sign-in-error', '');
    state.key = key;
    try {
      const entities = await api('GET', '/entities');
      sessionStorage.setItem(KEY_STORAGE, key);
      input.value = '';
      enterConsole(entities);
    } catch (error) {
      state.key = null;
      setMessage('sign-in-error', error.status === 401 ? `${error.message}. Check the key and try again.` : error.message);
      input.select();
    } finally {
      submit.disabled = false;
    }
  }

  function forgetKey() {
    state.key = null;
    sessionStorage.removeItem(KEY_STORAGE);
  }

  function enterConsole(entities) {
    state.signedIn = true;
    state.entities = Array.isArray(entities) ? entities : [];
    showView('app');
    show($('sign-out'), state.key !== null);
    show($('open-server-note'), state.key === null);
    renderScopes();
    applyLocation();
  }

  /** Sign out: forget the key and every datum shown, back to the sign-in form. */
  function signOut() {
    forgetKey();
    leaveConsole();
    showSignIn('');
  }

  /** The server refused the key mid-session (revoked, say). */
  function keyRefused(message) {
    forgetKey();
    leaveConsole();
    showSignIn(`The server refused the key (${message}). Sign in again.`);
  }

  function leaveConsole() {
    state.signedIn = false;
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
    state.entities = [];
    state.scope = null;
    state.loaded.clear();
    state.memories = freshMemoriesState(state.memories.pageSize);
    state.graph = freshGraphState();
    for (const id of ['scope-list', 'memories-body', 'search-results', 'search-relations-body', 'graph-canvas',
      'relations-body', 'jobs-body', 'server-health', 'server-metrics', 'server-config']) {
      $(id).replaceChildren();
    }
    $('search-summary').textContent = '';
  }

  // ---------------------------------------------------------------- server status

  async function checkHealth() {
    const badge = $('server-status');
    let label;
    try {
      const response = await fetch('/health', { cache: 'no-store', credentials: 'omit' });
      badge.dataset.state = response.ok ? 'ok' : 'down';
      label = response.ok ? 'Server OK' : `Server unavailable (${response.status})`;
    } catch {
      badge.dataset.state = 'down';
      label = 'Server unreachable';
    }
    $('server-status-text').textContent = label;
  }

  // ---------------------------------------------------------------- location and deep links

  function scopeFromLocation() {
    const params = new URLSearchParams(location.search);
    for (const type of SCOPE_TYPES) {
      const id = (params.get(`${type}_id`) || '').trim();
      if (id) return { type, id };
    }
    return null;
  }

  function tabFromLocation() {
    const tab = new URLSearchParams(location.search).get('tab');
    return TABS.includes(tab) ? tab : 'memories';
  }

  /** The console's own URL for a scope and tab: /ui/?user_id=alice&tab=graph. */
  function consoleUrl(scope, tab) {
    const params = new URLSearchParams();
    if (scope) params.set(`${scope.type}_id`, scope.id);
    if (tab && tab !== 'memories') params.set('tab', tab);
    const query = params.toString();
    return query ? `/ui/?${query}` : '/ui/';
  }

  const sameScope = (a, b) => Boolean(a && b && a.type === b.type && a.id === b.id);

  function applyLocation() {
    openScope(scopeFromLocation());
    showTab(tabFromLocation(), { updateUrl: false });
  }

  /** Opens a scope chosen by the user, with a history entry so Back returns to the previous one. */
  function chooseScope(scope) {
    if (sameScope(scope, state.scope) || (!scope && !state.scope)) return;
    history.pushState(null, '', consoleUrl(scope, state.tab));
    openScope(scope);
    showTab(state.tab, { updateUrl: false });
    $('main').focus({ preventScroll: true });
  }

  function openScope(scope) {
    if (sameScope(scope, state.scope)) return;
    state.scope = scope;
    state.loaded.clear();
    state.memories = freshMemoriesState(state.memories.pageSize);
    state.graph = freshGraphState();
    state.graph.includeHistory = $('graph-history').checked;
    resetScopedViews();
    renderScopeHeading();
    renderScopes();
  }

  function resetScopedViews() {
    $('memories-body').replaceChildren();
    setMessage('memories-error', '');
    $('show-expired').checked = false;
    $('show-superseded').checked = false;
    clearFilterForm();
    $('add-result').textContent = '';
    setMessage('add-error', '');
    $('search-results').replaceChildren();
    $('search-summary').textContent = '';
    setMessage('search-error', '');
    show($('search-relations'), false);
    $('graph-canvas').replaceChildren();
    $('relations-body').replaceChildren();
    show($('graph-empty'), false);
    renderTimeSlider();
    const app = isAppScope(state.scope);
    show($('app-scope-note'), app);
    $('filter-details').hidden = app;
    $('show-superseded').disabled = app;
    $('search-as-of').disabled = app;
    $('search-expired').disabled = app;
  }

  function renderScopeHeading() {
    const scope = state.scope;
    $('scope-title').textContent = scope ? scope.id : 'Choose a scope';
    const tag = $('scope-type-tag');
    tag.textContent = scope ? scope.type : '';
    show(tag, Boolean(scope));
    const entity = scope && state.entities.find((item) => item.type === scope.type && item.id === scope.id);
    $('scope-count').textContent = entity ? plural(entity.total_memories, 'memory', 'memories')
      : scope ? 'no memories yet' : '';
    document.title = scope ? `${scope.id} · Engram console` : 'Engram console';
  }

  // ---------------------------------------------------------------- scopes pane

  function renderScopes() {
    const filter = $('scope-filter').value.trim().toLowerCase();
    const list = $('scope-list');
    list.replaceChildren();
    let shown = 0;
    for (const type of SCOPE_TYPES) {
      const items = state.entities
        .filter((entity) => entity.type === type && String(entity.id).toLowerCase().includes(filter))
        .sort((a, b) => String(a.id).localeCompare(String(b.id)));
      if (items.length === 0) continue;
      shown += items.length;
      const headingId = `scope-group-${type}`;
      list.append(el('section', { class: 'scope-group', 'aria-labelledby': headingId },
        el('h3', { id: headingId }, SCOPE_GROUP_TITLES[type], el('span', { class: 'group-count' }, items.length)),
        el('ul', {}, items.map(scopeLink))));
    }
    if (shown === 0) {
      list.append(el('p', { class: 'muted small' }, state.entities.length
        ? 'No scope matches the filter.'
        : 'No memories on this server yet. Open a scope below to add the first one.'));
    }
  }

  function scopeLink(entity) {
    const scope = { type: entity.type, id: String(entity.id) };
    const current = sameScope(scope, state.scope);
    return el('li', {},
      el('a', {
        href: consoleUrl(scope), class: 'scope-link', 'aria-current': current ? 'page' : null,
        dataset: { testid: 'scope-link', scopeType: scope.type, scopeId: scope.id },
        onclick: (event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          chooseScope(scope);
        },
      },
      el('span', { class: 'scope-id' }, scope.id),
      el('span', { class: 'scope-count', title: plural(entity.total_memories, 'memory', 'memories') },
        numberFormat.format(entity.total_memories))));
  }

  async function refreshScopes() {
    state.entities = await api('GET', '/entities');
    renderScopes();
    renderScopeHeading();
  }

  function openTypedScope(event) {
    event.preventDefault();
    const id = $('open-scope-id').value.trim();
    if (!id) {
      setMessage('open-scope-error', 'Type the id of the scope to open.');
      return;
    }
    if (/\s/.test(id)) {
      setMessage('open-scope-error', 'Scope ids cannot hold spaces.');
      return;
    }
    setMessage('open-scope-error', '');
    $('open-scope-id').value = '';
    chooseScope({ type: $('open-scope-type').value, id });
  }

  // ---------------------------------------------------------------- tabs

  function showTab(tab, { updateUrl = true } = {}) {
    state.tab = tab;
    const needsScope = SCOPED_TABS.has(tab) && !state.scope;
    for (const name of TABS) {
      const selected = name === tab;
      const tabButton = $(`tab-${name}`);
      tabButton.setAttribute('aria-selected', String(selected));
      tabButton.tabIndex = selected ? 0 : -1;
      show($(`panel-${name}`), selected && !needsScope);
    }
    show($('scope-needed'), needsScope);
    if (updateUrl) history.replaceState(null, '', consoleUrl(state.scope, tab));
    if (!needsScope) loadTab(tab).catch((error) => toast(error.message, 'error'));
  }

  async function loadTab(tab) {
    if (tab === 'jobs') return loadJobs();
    if (tab === 'server') return loadServer();
    if (state.loaded.has(tab)) return undefined;
    state.loaded.add(tab);
    if (tab === 'memories') return loadMemories();
    if (tab === 'graph') return loadGraph();
    return undefined;
  }

  /** Arrow keys, Home and End move between tabs (the ARIA tabs pattern). */
  function tabKeys(event) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const index = TABS.indexOf(event.currentTarget.id.replace('tab-', ''));
    const move = moves[event.key];
    const next = move === -Infinity ? 0 : move === Infinity ? TABS.length - 1
      : (index + move + TABS.length) % TABS.length;
    showTab(TABS[next]);
    $(`tab-${TABS[next]}`).focus();
  }

  // ---------------------------------------------------------------- memories: list

  /** Each loader takes a ticket; an answer that comes back after a newer request started is dropped. */
  const tickets = {};

  function takeTicket(name) {
    tickets[name] = (tickets[name] || 0) + 1;
    return tickets[name];
  }

  const isLatest = (name, ticket) => tickets[name] === ticket;

  async function loadMemories() {
    const memories = state.memories;
    const ticket = takeTicket('memories');
    const wrap = $('memories-table').parentElement;
    wrap.setAttribute('aria-busy', 'true');
    try {
      const page = await listMemories(state.scope, memories);
      if (!isLatest('memories', ticket)) return;
      const rows = Array.isArray(page.results) ? page.results : [];
      if (rows.length === 0 && memories.page > 1) {
        // The last page emptied (deletions): step back to the one before.
        memories.page -= 1;
        await loadMemories();
        return;
      }
      memories.rows = rows;
      memories.count = Number(page.count) || 0;
      memories.hasNext = Boolean(page.next);
      setMessage('memories-error', '');
      renderMemories();
    } catch (error) {
      if (isLatest('memories', ticket)) setMessage('memories-error', error.message);
    } finally {
      if (isLatest('memories', ticket)) wrap.removeAttribute('aria-busy');
    }
  }

  function renderMemories() {
    const memories = state.memories;
    $('memories-body').replaceChildren(...memories.rows.map(memoryRow));
    const empty = $('memories-empty');
    empty.textContent = memories.filters
      ? 'No memory of this scope matches the filters.'
      : 'This scope has no memories yet. Add the first one with “Add a memory” above.';
    show(empty, memories.rows.length === 0);
    const pages = Math.max(1, Math.ceil(memories.count / memories.pageSize));
    $('memory-count').textContent = plural(memories.count, 'memory', 'memories');
    $('page-label').textContent = `Page ${memories.page} of ${pages}`;
    $('page-prev').disabled = memories.page <= 1;
    $('page-next').disabled = !memories.hasNext;
    renderFilterKeys();
    renderSelection();
  }

  function memoryRow(memory) {
    const text = String(memory.memory ?? '');
    const snippet = truncate(text, 48);
    const status = memoryStatus(memory);
    return el('tr', { dataset: { testid: 'memory-row', memoryId: memory.id }, class: `state-${status}` },
      el('td', { class: 'select-col' },
        el('input', {
          type: 'checkbox', class: 'row-select', 'aria-label': `Select “${snippet}”`,
          checked: state.memories.selected.has(memory.id),
          onchange: (event) => selectMemory(memory.id, event.target.checked),
        })),
      el('td', { class: 'memory-cell', 'data-label': 'Memory' },
        el('div', { class: 'memory-text', dataset: { testid: 'memory-text' } }, text),
        el('div', { class: 'memory-id mono', title: memory.id }, String(memory.id).slice(0, 8))),
      el('td', { 'data-label': 'Categories' }, categoryList(memory.categories)),
      el('td', { 'data-label': 'Metadata' }, metadataList(memory.metadata)),
      el('td', { 'data-label': 'Created', class: 'nowrap' }, stackedTime(memory.created_at)),
      el('td', { 'data-label': 'Updated', class: 'nowrap' }, stackedTime(memory.updated_at)),
      el('td', { 'data-label': 'State' }, statusTag(memory, status)),
      el('td', { class: 'row-actions' },
        iconButton('edit', `Edit “${snippet}”`, { dataset: { action: 'edit' }, onclick: () => openEditor(memory) }),
        iconButton('history', `History of “${snippet}”`, {
          dataset: { action: 'history' }, onclick: handler(() => openHistory(memory)),
        }),
        iconButton('delete', `Delete “${snippet}”`, {
          class: 'icon-button danger', dataset: { action: 'delete' }, onclick: handler(() => deleteOne(memory)),
        })));
  }

  /** active, superseded or expired: the only values that become a class name. */
  function memoryStatus(memory) {
    if (memory.state === 'superseded') return 'superseded';
    if (memory.expiration_date && memory.expiration_date < new Date().toISOString().slice(0, 10)) return 'expired';
    return memory.state && memory.state !== 'active' ? 'other' : 'active';
  }

  function statusTag(memory, status) {
    const label = status === 'other' ? String(memory.state) : status;
    const tag = el('span', { class: `tag status-${status}` }, label);
    if (status === 'active' && memory.expiration_date) {
      return [tag, el('div', { class: 'muted small' }, `expires ${memory.expiration_date}`)];
    }
    return tag;
  }

  function categoryList(categories) {
    if (!Array.isArray(categories) || categories.length === 0) return el('span', { class: 'muted' }, '—');
    return el('ul', { class: 'chips' }, categories.map((category) => el('li', { class: 'chip' }, valueText(category))));
  }

  function metadataList(metadata) {
    const entries = metadata && typeof metadata === 'object' ? Object.entries(metadata) : [];
    if (entries.length === 0) return el('span', { class: 'muted' }, '—');
    return el('dl', { class: 'meta' }, entries.map(([key, value]) => {
      const text = valueText(value);
      return el('div', { class: 'meta-entry', title: `${key}: ${text}` },
        el('dt', {}, key), el('dd', { dataset: { testid: 'meta-value' } }, text));
    }));
  }

  function goToPage(page) {
    state.memories.page = page;
    state.memories.selected.clear();
    return loadMemories();
  }

  // ---------------------------------------------------------------- memories: selection and deletion

  function selectMemory(id, selected) {
    if (selected) state.memories.selected.add(id);
    else state.memories.selected.delete(id);
    renderSelection();
  }

  function selectPage(event) {
    for (const memory of state.memories.rows) selectMemory(memory.id, event.target.checked);
    for (const box of document.querySelectorAll('#memories-body .row-select')) box.checked = event.target.checked;
  }

  function renderSelection() {
    const { rows, selected } = state.memories;
    const count = rows.filter((memory) => selected.has(memory.id)).length;
    const all = $('select-page');
    all.checked = rows.length > 0 && count === rows.length;
    all.indeterminate = count > 0 && count < rows.length;
    const remove = $('delete-selected');
    remove.disabled = count === 0;
    remove.textContent = count ? `Delete selected (${count})` : 'Delete selected';
  }

  async function deleteOne(memory) {
    const confirmed = await confirmDialog({
      title: 'Delete this memory?',
      message: 'It leaves listings and searches at once. Its history is kept.',
      items: [memory.memory],
      confirmLabel: 'Delete',
    });
    if (!confirmed) return;
    await api('DELETE', memoryPath(memory.id));
    state.memories.selected.delete(memory.id);
    toast('Memory deleted.');
    await Promise.all([loadMemories(), refreshScopes()]);
  }

  async function deleteSelected() {
    const chosen = state.memories.rows.filter((memory) => state.memories.selected.has(memory.id));
    if (chosen.length === 0) return;
    const confirmed = await confirmDialog({
      title: `Delete ${plural(chosen.length, 'memory', 'memories')}?`,
      message: 'They leave listings and searches at once. Their history is kept.',
      items: chosen.map((memory) => memory.memory),
      confirmLabel: `Delete ${chosen.length}`,
    });
    if (!confirmed) return;
    const failures = [];
    for (const memory of chosen) {
      try {
        await api('DELETE', memoryPath(memory.id));
        state.memories.selected.delete(memory.id);
      } catch (error) {
        failures.push(`“${truncate(memory.memory, 40)}”: ${error.message}`);
      }
    }
    const deleted = chosen.length - failures.length;
    if (failures.length) {
      setMessage('memories-error', `Deleted ${deleted} of ${chosen.length}. Not deleted: ${failures.join('; ')}`);
    } else {
      toast(`${plural(deleted, 'memory', 'memories')} deleted.`);
    }
    await Promise.all([loadMemories(), refreshScopes()]);
  }

  // ---------------------------------------------------------------- memories: add

  /** Parses an optional JSON object from a text box; answers undefined when the box is empty. */
  function parseObject(text, what) {
    if (!text.trim()) return undefined;
    let value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${what} is not valid JSON (${error.message}).`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${what} must be a JSON object, like {"topic": "travel"}.`);
    }
    return value;
  }

  async function submitAdd(event) {
    event.preventDefault();
    setMessage('add-error', '');
    $('add-result').textContent = '';
    const text = $('add-text').value.trim();
    if (!text) {
      setMessage('add-error', 'Write the text to remember.');
      return;
    }
    let metadata;
    try {
      metadata = parseObject($('add-metadata').value, 'Metadata');
    } catch (error) {
      setMessage('add-error', error.message);
      return;
    }
    const submit = $('add-submit');
    submit.disabled = true;
    try {
      const answer = await addMemory(state.scope, {
        text, infer: $('add-infer').checked, metadata, expirationDate: $('add-expiration').value || undefined,
      });
      $('add-text').value = '';
      $('add-result').textContent = describeAddResults(answer);
      state.memories.page = 1;
      await Promise.all([loadMemories(), refreshScopes()]);
    } catch (error) {
      setMessage('add-error', error.message);
    } finally {
      submit.disabled = false;
    }
  }

  /** "2 added, 1 updated", or why nothing changed. */
  function describeAddResults(answer) {
    const results = Array.isArray(answer) ? answer : (answer && answer.results) || [];
    const counts = { ADD: 0, UPDATE: 0, DELETE: 0 };
    for (const result of results) if (result.event in counts) counts[result.event] += 1;
    const parts = [];
    if (counts.ADD) parts.push(`${counts.ADD} added`);
    if (counts.UPDATE) parts.push(`${counts.UPDATE} updated`);
    if (counts.DELETE) parts.push(`${counts.DELETE} superseded`);
    return parts.length ? `Done: ${parts.join(', ')}.` : 'Nothing new to remember was found in that text.';
  }

  // ---------------------------------------------------------------- memories: filters

  let filterRowCount = 0;

  function addFilterRow(condition) {
    filterRowCount += 1;
    const n = filterRowCount;
    const key = el('input', {
      type: 'text', id: `filter-key-${n}`, class: 'filter-key', list: 'filter-keys', placeholder: 'key, e.g. topic',
      autocomplete: 'off', spellcheck: 'false',
    });
    const operator = el('select', { id: `filter-op-${n}`, class: 'filter-op' },
      OPERATORS.map((name) => el('option', { value: name }, name)));
    const value = el('input', {
      type: 'text', id: `filter-value-${n}`, class: 'filter-value', placeholder: 'value', autocomplete: 'off',
      spellcheck: 'false',
    });
    if (condition) {
      key.value = condition.key;
      operator.value = condition.operator;
      value.value = condition.value;
    }
    const row = el('div', { class: 'filter-row', dataset: { testid: 'filter-row' } },
      el('label', { for: key.id, class: 'visually-hidden' }, `Key of condition ${n}`), key,
      el('label', { for: operator.id, class: 'visually-hidden' }, `Operator of condition ${n}`), operator,
      el('label', { for: value.id, class: 'visually-hidden' }, `Value of condition ${n}`), value,
      button('Remove', {
        'aria-label': `Remove condition ${n}`,
        onclick: () => {
          row.remove();
          if (!$('filter-rows').children.length) addFilterRow();
        },
      }));
    $('filter-rows').append(row);
    return key;
  }

  /** A value typed in a condition row: JSON when it reads as JSON (3, true, "3"), text otherwise. */
  function readScalar(text) {
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== 'object') return value;
    } catch {
      // Plain text.
    }
    return text;
  }

  function readConditionValue(operator, raw) {
    const text = raw.trim();
    if (operator === 'contains' || operator === 'icontains') return raw;
    if (operator !== 'in' && operator !== 'nin') return readScalar(text);
    if (text.startsWith('[')) {
      const list = JSON.parse(text);
      if (!Array.isArray(list)) throw new Error(`${operator} takes a list.`);
      return list;
    }
    return text ? text.split(',').map((item) => readScalar(item.trim())) : [];
  }

  /** The condition rows as one filter, ANDed; null when every row is blank. */
  function filterFromRows() {
    const conditions = [];
    for (const row of $('filter-rows').children) {
      const key = row.querySelector('.filter-key').value.trim();
      const operator = row.querySelector('.filter-op').value;
      const raw = row.querySelector('.filter-value').value;
      if (!key && !raw.trim()) continue;
      if (!key) throw new Error(`Condition ${conditions.length + 1} has a value but no key.`);
      let value;
      try {
        value = readConditionValue(operator, raw);
      } catch (error) {
        throw new Error(`The value of “${key}” is not readable: ${error.message}`);
      }
      conditions.push({ [key]: { [operator]: value } });
    }
    if (conditions.length === 0) return null;
    return conditions.length === 1 ? conditions[0] : { AND: conditions };
  }

  /** The reverse, for switching from JSON back to rows: null when the filter is richer than rows. */
  function rowsFromFilter(filter) {
    const parts = filter && Array.isArray(filter.AND) && Object.keys(filter).length === 1 ? filter.AND : [filter];
    const rows = [];
    for (const part of parts) {
      if (!part || typeof part !== 'object' || Array.isArray(part)) return null;
      for (const [key, spec] of Object.entries(part)) {
        if (['AND', 'OR', 'NOT'].includes(key)) return null;
        if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
          for (const [operator, value] of Object.entries(spec)) {
            if (!OPERATORS.includes(operator)) return null;
            rows.push({ key, operator, value: typeof value === 'string' && !['in', 'nin'].includes(operator) ? value : JSON.stringify(value) });
          }
        } else {
          rows.push({ key, operator: Array.isArray(spec) ? 'in' : 'eq', value: typeof spec === 'string' ? spec : JSON.stringify(spec) });
        }
      }
    }
    return rows;
  }

  const filterMode = () => ($('filter-mode-json').checked ? 'json' : 'rows');

  function switchFilterMode() {
    setMessage('filter-error', '');
    if (filterMode() === 'json') {
      try {
        const filter = filterFromRows();
        $('filter-json').value = filter ? JSON.stringify(filter, null, 2) : '';
      } catch (error) {
        setMessage('filter-error', error.message);
      }
    } else {
      let rows = [];
      try {
        rows = rowsFromFilter(parseObject($('filter-json').value, 'The filter') || {});
      } catch {
        rows = null;
      }
      if (rows === null) {
        setMessage('filter-error', 'That filter cannot be written as conditions; it is kept in the JSON view.');
        $('filter-mode-json').checked = true;
        return;
      }
      $('filter-rows').replaceChildren();
      for (const row of rows) addFilterRow(row);
      if (rows.length === 0) addFilterRow();
    }
    show($('filter-rows-box'), filterMode() === 'rows');
    show($('filter-json-box'), filterMode() === 'json');
  }

  function applyFilters(event) {
    event.preventDefault();
    let filters;
    try {
      filters = filterMode() === 'json' ? parseObject($('filter-json').value, 'The filter') : filterFromRows();
    } catch (error) {
      setMessage('filter-error', error.message);
      return undefined;
    }
    setMessage('filter-error', '');
    state.memories.filters = filters || null;
    show($('filter-badge'), Boolean(filters));
    return goToPage(1);
  }

  function clearFilterForm() {
    $('filter-rows').replaceChildren();
    addFilterRow();
    $('filter-json').value = '';
    $('filter-mode-rows').checked = true;
    show($('filter-rows-box'), true);
    show($('filter-json-box'), false);
    setMessage('filter-error', '');
    show($('filter-badge'), false);
  }

  function clearFilters() {
    clearFilterForm();
    if (state.memories.filters === null) return undefined;
    state.memories.filters = null;
    return goToPage(1);
  }

  /** Suggests the metadata keys seen on this page, and the memory fields, in the key boxes. */
  function renderFilterKeys() {
    const keys = new Set(FILTER_FIELDS);
    for (const memory of state.memories.rows) {
      if (memory.metadata && typeof memory.metadata === 'object') for (const key of Object.keys(memory.metadata)) keys.add(key);
    }
    $('filter-keys').replaceChildren(...[...keys].sort().map((key) => el('option', { value: key })));
  }

  // ---------------------------------------------------------------- memories: edit

  function openEditor(memory) {
    state.editing = memory;
    $('edit-id').textContent = memory.id;
    $('edit-text').value = memory.memory ?? '';
    const metadata = memory.metadata && Object.keys(memory.metadata).length ? memory.metadata : null;
    $('edit-metadata').value = metadata ? JSON.stringify(metadata, null, 2) : '';
    setMessage('edit-error', '');
    $('edit-dialog').showModal();
    $('edit-text').focus();
  }

  async function saveEdit(event) {
    event.preventDefault();
    const memory = state.editing;
    const text = $('edit-text').value.trim();
    if (!text) {
      setMessage('edit-error', 'The text cannot be empty; delete the memory instead.');
      return;
    }
    const change = {};
    if (text !== memory.memory) change.text = text;
    try {
      const metadata = parseObject($('edit-metadata').value, 'Metadata');
      if (metadata && JSON.stringify(metadata) !== JSON.stringify(memory.metadata || {})) change.metadata = metadata;
    } catch (error) {
      setMessage('edit-error', error.message);
      return;
    }
    if (Object.keys(change).length === 0) {
      $('edit-dialog').close();
      return;
    }
    const save = $('edit-save');
    save.disabled = true;
    try {
      await api('PUT', memoryPath(memory.id), change);
      $('edit-dialog').close();
      toast('Memory updated.');
      await loadMemories();
    } catch (error) {
      setMessage('edit-error', error.message);
    } finally {
      save.disabled = false;
    }
  }

  // ---------------------------------------------------------------- dialogs

  /** A confirmation in a modal <dialog>: resolves true on confirm, false on Cancel or Escape. */
  function confirmDialog({ title, message, items, confirmLabel }) {
    const dialog = $('confirm-dialog');
    $('confirm-title').textContent = title;
    $('confirm-message').textContent = message;
    const shown = items.slice(0, 5).map((item) => el('li', {}, truncate(item, 160)));
    if (items.length > shown.length) shown.push(el('li', { class: 'muted' }, `and ${items.length - shown.length} more`));
    $('confirm-items').replaceChildren(...shown);
    $('confirm-ok').textContent = confirmLabel;
    dialog.returnValue = '';
    dialog.showModal();
    $('confirm-cancel').focus();
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    });
  }

  // ---------------------------------------------------------------- history

  async function openHistory(memory) {
    const dialog = $('history-dialog');
    $('history-current').replaceChildren(
      el('p', { class: 'history-text' }, memory.memory ?? ''),
      el('p', { class: 'muted small' }, statusTag(memory, memoryStatus(memory)), ' ',
        el('span', { class: 'mono' }, memory.id)));
    setMessage('history-error', '');
    const list = $('history-list');
    list.replaceChildren(el('li', { class: 'muted' }, 'Loading…'));
    dialog.showModal();
    try {
      const rows = await api('GET', memoryPath(memory.id, '/history'));
      const changes = Array.isArray(rows) ? rows : [];
      list.replaceChildren(...changes.map((change) => historyItem(change, memory)));
      if (changes.length === 0) list.append(el('li', { class: 'muted' }, 'No recorded changes.'));
    } catch (error) {
      list.replaceChildren();
      setMessage('history-error', error.message);
    }
  }

  function historyItem(change, memory) {
    const event = ['ADD', 'UPDATE', 'DELETE'].includes(change.event) ? change.event : 'OTHER';
    const superseded = change.is_deleted && memory.state === 'superseded';
    return el('li', { class: `timeline-item event-${event.toLowerCase()}`, dataset: { testid: 'history-item', event } },
      el('div', { class: 'timeline-head' },
        el('span', { class: `tag event-tag event-${event.toLowerCase()}` }, event === 'OTHER' ? String(change.event) : event),
        superseded ? el('span', { class: 'tag status-superseded' }, 'superseded') : null,
        el('span', { class: 'muted small' }, timeEl(change.created_at)),
        change.actor_id ? el('span', { class: 'muted small' }, `by ${change.actor_id}`) : null),
      historyTexts(change, event));
  }

  function historyTexts(change, event) {
    const before = change.old_memory;
    const after = change.new_memory;
    if (event === 'ADD') return el('p', { class: 'history-new' }, after ?? '(text erased)');
    if (event === 'DELETE') return el('p', {}, el('del', {}, before ?? after ?? '(text erased)'));
    return el('div', { class: 'history-change' },
      el('del', {}, before ?? '(text erased)'),
      el('span', { class: 'arrow', 'aria-label': 'became' }, '→'),
      el('ins', {}, after ?? '(text erased)'));
  }

  // ---------------------------------------------------------------- search

  /** A datetime-local value (local time) as ISO-8601 in UTC; undefined when empty. */
  function localToIso(value) {
    if (!value) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new Error('The “as of” time is not a valid date.');
    return date.toISOString();
  }

  async function runSearch(event) {
    event.preventDefault();
    setMessage('search-error', '');
    const query = $('search-query').value.trim();
    if (!query) {
      setMessage('search-error', 'Type something to search for.');
      return;
    }
    const topK = Number($('search-top-k').value || 10);
    if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
      setMessage('search-error', 'Results must be a whole number from 1 to 1000.');
      return;
    }
    let asOf;
    try {
      asOf = localToIso($('search-as-of').value);
    } catch (error) {
      setMessage('search-error', error.message);
      return;
    }
    const ticket = takeTicket('search');
    const submit = $('search-submit');
    submit.disabled = true;
    $('search-summary').textContent = 'Searching…';
    try {
      const answer = await searchMemories(state.scope, {
        query, topK, asOf, showExpired: $('search-expired').checked,
      });
      if (!isLatest('search', ticket)) return;
      renderSearch(answer, query);
    } catch (error) {
      if (!isLatest('search', ticket)) return;
      $('search-summary').textContent = '';
      setMessage('search-error', error.message);
    } finally {
      submit.disabled = false;
    }
  }

  function renderSearch(answer, query) {
    const results = Array.isArray(answer) ? answer : (answer && answer.results) || [];
    const relations = (answer && Array.isArray(answer.relations)) ? answer.relations : [];
    $('search-summary').textContent = results.length
      ? `${plural(results.length, 'result')} for “${truncate(query, 80)}”, best first.`
      : `Nothing found for “${truncate(query, 80)}”.`;
    $('search-results').replaceChildren(...results.map(searchResult));
    const warnings = answer && Array.isArray(answer.warnings) ? answer.warnings : [];
    if (warnings.length) setMessage('search-error', warnings.map(valueText).join(' '));
    $('search-relations-body').replaceChildren(...relations.map((relation) => el('tr', {},
      el('td', { 'data-label': 'Relation' }, relationLabel(relation)),
      el('td', { 'data-label': 'Fact' }, relation.fact ?? ''),
      el('td', { 'data-label': 'Score', class: 'num' }, formatScore(relation.score)))));
    show($('search-relations'), relations.length > 0);
  }

  function searchResult(memory) {
    const details = memory.score_details && typeof memory.score_details === 'object' ? memory.score_details : null;
    return el('li', { class: 'result card', dataset: { testid: 'search-result', memoryId: memory.id } },
      el('div', { class: 'result-head' },
        el('p', { class: 'result-text' }, memory.memory ?? ''),
        el('div', { class: 'result-score', title: 'Score' },
          el('span', { class: 'visually-hidden' }, 'Score '),
          el('span', { dataset: { testid: 'score' } }, formatScore(memory.score)))),
      el('div', { class: 'result-meta muted small' },
        Array.isArray(memory.categories) && memory.categories.length ? categoryList(memory.categories) : null,
        timeEl(memory.created_at),
        memory.state && memory.state !== 'active' ? el('span', { class: 'tag status-superseded' }, String(memory.state)) : null),
      details ? scoreBars(details) : null);
  }

  /** The parts of a score (explain: true) as labelled bars. */
  function scoreBars(details) {
    const rows = SCORE_PARTS.filter(([key]) => Number.isFinite(details[key])).map(([key, label]) => {
      const value = Math.max(0, Math.min(1, details[key]));
      const fill = el('span', { class: `bar-fill part-${key.replace('_score', '')}` });
      fill.style.width = `${(value * 100).toFixed(1)}%`;
      return el('div', { class: 'score-part', dataset: { testid: 'score-part', part: key } },
        el('span', { class: 'score-label' }, label),
        el('span', { class: 'bar', role: 'presentation' }, fill),
        el('span', { class: 'score-value num' }, formatScore(details[key])));
    });
    return el('div', { class: 'score-parts', 'aria-label': 'How the score was made' }, rows);
  }

  function relationLabel(relation) {
    return el('span', { class: 'relation' },
      el('strong', {}, relation.source ?? ''), ' ',
      el('span', { class: 'relationship' }, relation.relationship ?? ''), ' ',
      el('strong', {}, relation.target ?? relation.destination ?? ''));
  }

  // ---------------------------------------------------------------- graph: data

  function graphParams(scope, extra) {
    return { ...scopeFields(scope), page_size: GRAPH_PAGE_SIZE, ...extra };
  }

  function fetchRelations(scope, { includeHistory, asOf }) {
    return api('GET', apiPath('/graph/relations', graphParams(scope, { include_history: includeHistory, as_of: asOf })));
  }

  /**
   * The moments worth stopping at: when a relation began to hold in the world (valid_at, else when Engram
   * learnt it) or stopped holding (invalid_at), the axis as_of reads. The server's own strings are kept,
   * microseconds and all, so a stop never falls a fraction before the moment it stands for.
   */
  function timeStops(relations) {
    const stops = new Map();
    for (const relation of relations) {
      for (const value of [relation.valid_at || relation.created_at, relation.invalid_at]) {
        const time = value ? new Date(value).getTime() : NaN;
        if (Number.isFinite(time) && !stops.has(value)) stops.set(value, time);
      }
    }
    return [...stops.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([value]) => value);
  }

  /** The as_of the slider stands at; undefined at its last position ("now"). */
  function graphAsOf() {
    const { stops, position } = state.graph;
    return stops && position < stops.length ? stops[position] : undefined;
  }

  async function loadGraph() {
    const scope = state.scope;
    const graph = state.graph;
    setMessage('graph-error', '');
    if (isAppScope(scope)) {
      renderGraphEmpty('Graph memory is kept for user, agent and run scopes; app scopes have none.');
      return;
    }
    const ticket = takeTicket('graph');
    $('graph-canvas').setAttribute('aria-busy', 'true');
    try {
      if (!graph.stops) {
        const everything = await fetchRelations(scope, { includeHistory: true });
        if (!isLatest('graph', ticket)) return;
        graph.stops = timeStops(everything.results || []);
        graph.position = graph.stops.length;
        renderTimeSlider();
      }
      const asOf = graphAsOf();
      const [entities, relations] = await Promise.all([
        api('GET', apiPath('/graph/entities', graphParams(scope, { as_of: asOf }))),
        fetchRelations(scope, { includeHistory: graph.includeHistory, asOf }),
      ]);
      if (!isLatest('graph', ticket)) return;
      graph.entities = entities.results || [];
      graph.relations = relations.results || [];
      graph.truncated = Number(relations.count) > graph.relations.length;
      renderGraph();
    } catch (error) {
      if (isLatest('graph', ticket)) setMessage('graph-error', error.message);
    } finally {
      if (isLatest('graph', ticket)) $('graph-canvas').removeAttribute('aria-busy');
    }
  }

  /** The slider for the graph's stops; disabled until they are known, or when there are none. */
  function renderTimeSlider() {
    const stops = state.graph.stops || [];
    const position = Math.min(state.graph.position, stops.length);
    const slider = $('graph-time');
    slider.min = '0';
    slider.max = String(Math.max(1, stops.length));
    slider.value = String(stops.length ? position : 1);
    slider.disabled = stops.length === 0;
    $('graph-now').disabled = position >= stops.length;
    const asOf = graphAsOf();
    const label = asOf ? `as of ${formatDate(asOf, true)}` : 'now';
    $('graph-time-label').textContent = label;
    slider.setAttribute('aria-valuetext', label);
  }

  let sliderTimer = 0;

  /** Moving the slider shows the date at once and asks the server when the hand rests a moment. */
  function moveTimeSlider() {
    state.graph.position = Number($('graph-time').value);
    renderTimeSlider();
    clearTimeout(sliderTimer);
    sliderTimer = setTimeout(() => loadGraph().catch((error) => toast(error.message, 'error')), 250);
  }

  function graphToNow() {
    state.graph.position = state.graph.stops ? state.graph.stops.length : 0;
    renderTimeSlider();
    return loadGraph();
  }

  function refreshGraph() {
    state.graph.stops = null;
    return loadGraph();
  }

  // ---------------------------------------------------------------- graph: drawing

  function renderGraphEmpty(message) {
    $('graph-canvas').replaceChildren();
    $('relations-body').replaceChildren();
    $('relations-count').textContent = '';
    $('graph-legend').replaceChildren();
    show($('graph-focus'), false);
    const empty = $('graph-empty');
    empty.textContent = message;
    show(empty, true);
  }

  const nameKey = (name) => String(name ?? '').toLowerCase();

  /**
   * Whether a relation no longer holds at the time shown: now, it is closed once it stopped holding or
   * Engram retired it; at an as_of in the past, only when it had stopped holding by then.
   */
  function isClosed(relation) {
    const asOf = graphAsOf();
    if (!asOf) return Boolean(relation.invalid_at || relation.expired_at);
    return Boolean(relation.invalid_at) && new Date(relation.invalid_at).getTime() <= new Date(asOf).getTime();
  }

  /**
   * Nodes for the entities (and any relation endpoint the entity page did not list) and edges. Relations
   * name their endpoints; a name is matched exactly first (the user "alice" and an "Alice" the text
   * mentions are two entities), then case-folded and by alias.
   */
  function buildGraph(entities, relations) {
    const nodes = [];
    const exact = new Map();
    const folded = new Map();
    const addNode = (name, type, mentions) => {
      const node = { name: String(name ?? ''), type: String(type || 'entity'), mentions: mentions || 0, degree: 0 };
      exact.set(node.name, node);
      if (!folded.has(nameKey(node.name))) folded.set(nameKey(node.name), node);
      nodes.push(node);
      return node;
    };
    const find = (name) => exact.get(String(name ?? '')) || folded.get(nameKey(name));
    const ranked = [...entities].sort((a, b) => (b.mentions || 0) - (a.mentions || 0)).slice(0, GRAPH_NODE_LIMIT);
    for (const entity of ranked) {
      if (exact.has(String(entity.name ?? ''))) continue;
      const node = addNode(entity.name, entity.type, entity.mentions);
      for (const alias of entity.aliases || []) if (!folded.has(nameKey(alias))) folded.set(nameKey(alias), node);
    }
    const edges = [];
    for (const relation of relations) {
      const target = relation.target ?? relation.destination;
      let from = find(relation.source);
      let to = find(target);
      if ((!from || !to) && nodes.length >= GRAPH_NODE_LIMIT) continue;
      from = from || addNode(relation.source, relation.source_type);
      to = to || addNode(target, relation.target_type);
      from.degree += 1;
      to.degree += 1;
      edges.push({ from, to, relation, closed: isClosed(relation) });
    }
    nodes.forEach((node, index) => { node.index = index; });
    return { nodes, edges };
  }

  /**
   * A force-directed layout (Fruchterman and Reingold): every pair of nodes repels, every edge pulls
   * its ends together, a pull to the centre keeps loose nodes near the rest, and a cooling step size
   * lets it settle. It starts from a circle, so the same graph is always drawn the same way. Positions
   * come out in abstract units; fitGraph() scales them onto the canvas.
   */
  function layoutGraph(nodes, edges) {
    const count = nodes.length;
    const ideal = 1;
    nodes.forEach((node, index) => {
      const angle = (2 * Math.PI * index) / Math.max(1, count) - Math.PI / 2;
      const radius = count === 1 ? 0 : Math.sqrt(count) * 0.6;
      node.x = radius * Math.cos(angle);
      node.y = radius * Math.sin(angle);
    });
    const steps = 320;
    for (let step = 0; step < steps; step += 1) {
      for (const node of nodes) { node.dx = -node.x * 0.9; node.dy = -node.y * 0.9; }
      for (let i = 0; i < count; i += 1) {
        for (let j = i + 1; j < count; j += 1) {
          const a = nodes[i];
          const b = nodes[j];
          const dx = a.x - b.x || 0.001 * (j - i);
          const dy = a.y - b.y || 0.001;
          const distance = Math.hypot(dx, dy);
          const push = (ideal * ideal) / distance / distance;
          a.dx += dx * push; a.dy += dy * push;
          b.dx -= dx * push; b.dy -= dy * push;
        }
      }
      for (const { from, to } of edges) {
        if (from === to) continue;
        const dx = from.x - to.x;
        const dy = from.y - to.y;
        const pull = Math.hypot(dx, dy) / ideal;
        from.dx -= dx * pull; from.dy -= dy * pull;
        to.dx += dx * pull; to.dy += dy * pull;
      }
      const temperature = 0.25 * (1 - step / steps) + 0.005;
      for (const node of nodes) {
        const length = Math.hypot(node.dx, node.dy) || 1;
        const move = Math.min(length, temperature);
        node.x += (node.dx / length) * move;
        node.y += (node.dy / length) * move;
      }
    }
  }

  /** Scales and centres the layout onto a width × height canvas, leaving room for the labels. */
  function fitGraph(nodes, width, height) {
    const marginX = 90;
    const marginY = 44;
    const xs = nodes.map((node) => node.x);
    const ys = nodes.map((node) => node.y);
    const spanX = Math.max(...xs) - Math.min(...xs) || 1;
    const spanY = Math.max(...ys) - Math.min(...ys) || 1;
    // At most 190px between neighbours, so a small graph stays compact instead of filling the screen.
    const scaleX = Math.min((width - 2 * marginX) / spanX, 190);
    const scaleY = Math.min((height - 2 * marginY) / spanY, 190);
    const middleX = (Math.max(...xs) + Math.min(...xs)) / 2;
    const middleY = (Math.max(...ys) + Math.min(...ys)) / 2;
    for (const node of nodes) {
      node.x = width / 2 + (node.x - middleX) * scaleX;
      node.y = height / 2 + (node.y - middleY) * scaleY;
    }
  }

  /** Lines up unrelated entities in rows under the graph; answers the canvas's new height. */
  function placeLooseNodes(nodes, width, top) {
    if (nodes.length === 0) return top;
    const spacing = 120;
    const perRow = Math.max(1, Math.floor((width - 40) / spacing));
    const start = top === 0 ? 36 : top + 10;
    nodes.forEach((node, index) => {
      const row = Math.floor(index / perRow);
      const inRow = Math.min(perRow, nodes.length - row * perRow);
      node.x = width / 2 + ((index % perRow) - (inRow - 1) / 2) * spacing;
      node.y = start + row * 76;
    });
    return start + (Math.ceil(nodes.length / perRow) - 1) * 76 + 52;
  }

  function nodeRadius(node) {
    return 8 + Math.min(10, Math.sqrt(node.mentions + node.degree) * 2.2);
  }

  function renderGraph() {
    const graph = state.graph;
    const { nodes, edges } = buildGraph(graph.entities, graph.relations);
    if (edges.length === 0 && nodes.length === 0) {
      Object.assign(graph, { nodes, edges, focus: null });
      renderGraphEmpty(graphAsOf()
        ? 'Nothing in the graph held at that time. Move the slider, or press Now.'
        : 'No graph yet. Memories that name people, places or organisations (“My sister Claire lives in Lyon.”) fill it.');
      renderRelationsTable();
      return;
    }
    show($('graph-empty'), false);
    // Drawn at the panel's own width, so labels keep their size on a phone as on a desktop (the panel:
    // an empty canvas is not displayed and has no width).
    const width = Math.max(300, ($('panel-graph').clientWidth || 900) - 2);
    // Entities without relations would only drift to the edges of a force layout: they get a row below.
    const linked = nodes.filter((node) => node.degree > 0);
    const loose = nodes.filter((node) => node.degree === 0);
    let height = 0;
    if (linked.length) {
      height = Math.round(Math.min(540, Math.max(260, 150 + Math.sqrt(linked.length) * 90, width * 0.36)));
      layoutGraph(linked, edges);
      fitGraph(linked, width, height);
    }
    height = placeLooseNodes(loose, width, height);
    graph.nodes = nodes;
    graph.edges = edges;
    if (graph.focus !== null && !nodes.some((node) => node.name === graph.focus)) graph.focus = null;
    $('graph-canvas').replaceChildren(graphSvg(nodes, edges, width, height));
    graph.drawnWidth = width;
    renderLegend(nodes);
    renderRelationsTable();
    renderFocus();
  }

  function graphSvg(nodes, edges, width, height) {
    const svg = svgEl('svg', {
      viewBox: `0 0 ${width} ${height}`, width, height,
      class: 'graph-svg', role: 'group', dataset: { testid: 'graph-svg' },
      'aria-label': `Graph of ${plural(nodes.length, 'entity', 'entities')} and ${plural(edges.length, 'relation')}`,
    },
    svgEl('defs', {},
      svgEl('marker', {
        id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7',
        orient: 'auto-start-reverse', class: 'arrow-marker',
      }, svgEl('path', { d: 'M0 0 L10 5 L0 10 z' }))));
    const edgeLayer = svgEl('g', { class: 'edges' });
    const labelLayer = svgEl('g', { class: 'edge-labels' });
    for (const edge of placeEdges(edges)) {
      const ends = { source: String(edge.from.index), target: String(edge.to.index) };
      const relationship = String(edge.relation.relationship ?? '');
      // related_to is the heuristic's "named together" link: drawn faint and unlabelled (its name is in
      // the tooltip), so the typed relations stand out.
      const generic = relationship === GENERIC_RELATIONSHIP;
      const classes = ['edge', edge.closed ? 'closed' : '', generic ? 'generic' : ''].filter(Boolean).join(' ');
      edgeLayer.append(svgEl('path', { d: edge.path, class: classes, 'marker-end': 'url(#arrow)', dataset: ends },
        svgEl('title', {}, `${edge.from.name} ${relationship} ${edge.to.name}`)));
      if (!generic) {
        labelLayer.append(svgEl('text', {
          x: edge.labelX.toFixed(1), y: edge.labelY.toFixed(1), class: 'edge-label', dataset: ends,
        }, truncate(relationship, 32)));
      }
    }
    const nodeLayer = svgEl('g', { class: 'nodes' }, nodes.map(graphNode));
    svg.append(edgeLayer, labelLayer, nodeLayer);
    return svg;
  }

  /** Each edge's path: straight for a single relation, curved apart when a pair has several. */
  function placeEdges(edges) {
    const groups = new Map();
    for (const edge of edges) {
      const key = [edge.from.index, edge.to.index].sort((a, b) => a - b).join(':');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(edge);
    }
    for (const group of groups.values()) {
      group.forEach((edge, index) => {
        const bend = (index - (group.length - 1) / 2) * 34;
        Object.assign(edge, edge.from === edge.to ? loopPath(edge.from, index) : curvePath(edge.from, edge.to, bend));
      });
    }
    return edges;
  }

  function curvePath(from, to, bend) {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.max(0.01, Math.hypot(dx, dy));
    // The normal points the same way whichever end the pair is walked from, so bends stay apart.
    const flip = from.index < to.index ? 1 : -1;
    const nx = (-dy / length) * flip;
    const ny = (dx / length) * flip;
    const cx = (from.x + to.x) / 2 + nx * bend;
    const cy = (from.y + to.y) / 2 + ny * bend;
    // End the path at the target's rim so the arrowhead shows.
    const ex = to.x - cx;
    const ey = to.y - cy;
    const approach = Math.max(0.01, Math.hypot(ex, ey));
    const rim = nodeRadius(to) + 3;
    const endX = to.x - (ex / approach) * rim;
    const endY = to.y - (ey / approach) * rim;
    return {
      path: `M${from.x.toFixed(1)} ${from.y.toFixed(1)} Q${cx.toFixed(1)} ${cy.toFixed(1)} ${endX.toFixed(1)} ${endY.toFixed(1)}`,
      labelX: 0.25 * from.x + 0.5 * cx + 0.25 * to.x,
      labelY: 0.25 * from.y + 0.5 * cy + 0.25 * to.y - 4,
    };
  }

  function loopPath(node, index) {
    const r = nodeRadius(node);
    const size = 26 + index * 12;
    const x = node.x;
    const y = node.y - r;
    return {
      path: `M${(x - 6).toFixed(1)} ${y.toFixed(1)} C${(x - size).toFixed(1)} ${(y - size * 1.4).toFixed(1)} ${(x + size).toFixed(1)} ${(y - size * 1.4).toFixed(1)} ${(x + 6).toFixed(1)} ${(y - 2).toFixed(1)}`,
      labelX: x,
      labelY: y - size * 1.1,
    };
  }

  function nodeTypeClass(type) {
    const value = String(type).toLowerCase();
    if (value === 'organisation') return 'type-organization';
    return NODE_TYPES.has(value) ? `type-${value}` : 'type-other';
  }

  function graphNode(node) {
    const selected = state.graph.focus === node.name;
    const toggle = () => focusEntity(state.graph.focus === node.name ? null : node.name);
    return svgEl('g', {
      class: `node ${nodeTypeClass(node.type)}${selected ? ' selected' : ''}`, tabindex: '0', role: 'button',
      'aria-pressed': String(selected), dataset: { testid: 'graph-node', name: node.name },
      'aria-label': `${node.name} (${node.type}), ${plural(node.degree, 'relation')}`,
      transform: `translate(${node.x.toFixed(1)} ${node.y.toFixed(1)})`,
      onclick: toggle,
      onkeydown: (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); toggle(); }
      },
    },
    svgEl('title', {}, `${node.name} · ${node.type} · ${plural(node.mentions, 'mention')}`),
    svgEl('circle', { r: nodeRadius(node).toFixed(1) }),
    svgEl('text', { class: 'node-label', y: (nodeRadius(node) + 15).toFixed(1) }, truncate(node.name, 28)));
  }

  function renderLegend(nodes) {
    const types = new Map();
    for (const node of nodes) {
      const css = nodeTypeClass(node.type);
      const label = css === 'type-other' ? 'other' : css.slice(5);
      types.set(css, label);
    }
    const items = [...types.entries()].map(([css, label]) => el('span', { class: `legend-item ${css}` },
      el('span', { class: 'legend-dot' }), label));
    if (state.graph.relations.some((relation) => relation.relationship === GENERIC_RELATIONSHIP)) {
      items.push(el('span', { class: 'legend-item' }, el('span', { class: 'legend-line generic' }), 'named together'));
    }
    if (state.graph.relations.some(isClosed)) {
      items.push(el('span', { class: 'legend-item' }, el('span', { class: 'legend-dash' }), 'closed'));
    }
    $('graph-legend').replaceChildren(...items);
  }

  /** Picks out one entity (by its exact name) and its relations, or every relation again with null. */
  function focusEntity(name) {
    const graph = state.graph;
    graph.focus = name;
    const node = name === null ? null : graph.nodes.find((item) => item.name === name);
    const index = node ? String(node.index) : null;
    for (const item of $('graph-canvas').querySelectorAll('.node')) {
      const selected = item.dataset.name === name;
      item.classList.toggle('selected', selected);
      item.setAttribute('aria-pressed', String(selected));
    }
    for (const item of $('graph-canvas').querySelectorAll('.edge, .edge-label')) {
      const touches = index !== null && (item.dataset.source === index || item.dataset.target === index);
      item.classList.toggle('highlight', touches);
      item.classList.toggle('faded', index !== null && !touches);
    }
    renderRelationsTable();
    renderFocus();
  }

  function renderFocus() {
    const name = state.graph.focus;
    $('graph-focus-text').textContent = name !== null ? `Showing the relations of ${name}.` : '';
    show($('graph-focus'), name !== null);
  }

  function renderRelationsTable() {
    const graph = state.graph;
    const name = graph.focus;
    const relations = name === null ? graph.relations
      : graph.edges.filter((edge) => edge.from.name === name || edge.to.name === name).map((edge) => edge.relation);
    $('relations-count').textContent = `(${relations.length}${graph.truncated ? `, the first ${GRAPH_PAGE_SIZE}` : ''})`;
    $('relations-body').replaceChildren(...relations.map(relationRow));
    if (relations.length === 0) {
      $('relations-body').append(el('tr', {}, el('td', { colspan: '7', class: 'muted' }, 'No relations.')));
    }
  }

  /** From a time, and until another when there is one. */
  function timeSpan(from, until) {
    return el('div', { class: 'time-span' }, stackedTime(from),
      until ? el('div', { class: 'muted small' }, 'until ', timeEl(until)) : null);
  }

  function relationRow(relation) {
    const closed = isClosed(relation);
    const target = relation.target ?? relation.destination ?? '';
    const triple = `${relation.source ?? ''} ${relation.relationship ?? ''} ${target}`;
    return el('tr', { dataset: { testid: 'relation-row', relation: triple, closed: String(closed) }, class: closed ? 'closed' : null },
      el('td', { 'data-label': 'Source' }, el('strong', {}, relation.source ?? ''), ' ', el('span', { class: 'muted small' }, relation.source_type ?? '')),
      el('td', { 'data-label': 'Relationship' }, el('span', { class: 'relationship' }, relation.relationship ?? '')),
      el('td', { 'data-label': 'Target' }, el('strong', {}, target), ' ', el('span', { class: 'muted small' }, relation.target_type ?? '')),
      el('td', { 'data-label': 'Fact' }, relation.fact ?? ''),
      el('td', { 'data-label': 'Valid', class: 'nowrap' }, timeSpan(relation.valid_at, relation.invalid_at)),
      el('td', { 'data-label': 'Learnt', class: 'nowrap' }, timeSpan(relation.created_at, relation.expired_at)),
      el('td', { 'data-label': 'State' }, el('span', { class: `tag ${closed ? 'status-superseded' : 'status-active'}` }, closed ? 'closed' : 'open')));
  }

  let resizeTimer = 0;

  /** A window resize redraws the graph at the canvas's new width (the data is already here). */
  function redrawGraphSoon() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      const graph = state.graph;
      const width = $('panel-graph').clientWidth - 2;
      if (state.tab === 'graph' && graph.nodes.length && width && Math.abs(width - graph.drawnWidth) > 40) renderGraph();
    }, 200);
  }

  // ---------------------------------------------------------------- jobs

  async function loadJobs() {
    const ticket = takeTicket('jobs');
    try {
      const page = await api('GET', apiPath('/v1/events/', { page: state.jobs.page, page_size: JOBS_PAGE_SIZE }));
      if (!isLatest('jobs', ticket)) return;
      const jobs = Array.isArray(page.results) ? page.results : [];
      state.jobs.hasNext = Boolean(page.next);
      setMessage('jobs-error', '');
      $('jobs-body').replaceChildren(...jobs.map(jobRow));
      show($('jobs-empty'), jobs.length === 0);
      const count = Number(page.count) || 0;
      $('jobs-count').textContent = plural(count, 'job');
      $('jobs-page-label').textContent = `Page ${state.jobs.page} of ${Math.max(1, Math.ceil(count / JOBS_PAGE_SIZE))}`;
      $('jobs-prev').disabled = state.jobs.page <= 1;
      $('jobs-next').disabled = !state.jobs.hasNext;
    } catch (error) {
      if (isLatest('jobs', ticket)) setMessage('jobs-error', error.message);
    }
  }

  function jobRow(job) {
    const status = JOB_STATUSES.has(job.status) ? job.status : 'OTHER';
    const attempts = job.metadata && Number.isFinite(job.metadata.attempts) ? job.metadata.attempts : job.attempts;
    // latency is the run time in milliseconds (started to completed).
    const took = Number.isFinite(job.latency) ? formatDuration(job.latency / 1000) : '—';
    return el('tr', { dataset: { testid: 'job-row', status } },
      el('td', { 'data-label': 'Job' },
        el('span', { class: 'mono small', title: String(job.id) }, truncate(job.id, 13)), ' ',
        el('span', { class: 'muted small' }, job.event_type ?? '')),
      el('td', { 'data-label': 'Status' }, el('span', { class: `tag job-${status.toLowerCase()}` }, String(job.status ?? '?'))),
      el('td', { 'data-label': 'Attempts', class: 'num' }, attempts ?? '—'),
      el('td', { 'data-label': 'Created', class: 'nowrap' }, timeEl(job.created_at)),
      el('td', { 'data-label': 'Started', class: 'nowrap' }, timeEl(job.started_at)),
      el('td', { 'data-label': 'Completed', class: 'nowrap' }, timeEl(job.completed_at)),
      el('td', { 'data-label': 'Took', class: 'num' }, took),
      el('td', { 'data-label': 'Outcome' }, jobOutcome(job)));
  }

  function jobOutcome(job) {
    if (job.error) return el('span', { class: 'danger-text' }, valueText(job.error));
    const results = Array.isArray(job.results) ? job.results : [];
    if (results.length === 0) return el('span', { class: 'muted' }, job.status === 'SUCCEEDED' ? 'nothing to remember' : '—');
    return el('ul', { class: 'plain-list' }, results.slice(0, 3).map((result) => el('li', {},
      el('span', { class: 'tag small' }, String(result.event ?? '')), ' ', truncate(result.memory ?? '', 80))),
    results.length > 3 ? el('li', { class: 'muted' }, `and ${results.length - 3} more`) : null);
  }

  // ---------------------------------------------------------------- server

  async function loadServer() {
    await Promise.all([loadHealthCard(), loadMetricsCard(), loadConfigCard()]);
  }

  /** The text for a card whose route needs the administrator key, or the error itself. */
  function cardError(error) {
    if (error.status === 403) {
      return el('p', { class: 'notice', dataset: { testid: 'needs-admin' } }, 'This needs the administrator key.');
    }
    return el('p', { class: 'error-box' }, error.message);
  }

  async function loadHealthCard() {
    const card = $('server-health');
    try {
      const health = await api('GET', '/health');
      const ok = health && health.status === 'ok';
      card.replaceChildren(el('p', { class: `health-line ${ok ? 'ok' : 'down'}`, dataset: { testid: 'health' } },
        el('span', { class: 'status-dot', 'aria-hidden': 'true' }),
        ok ? 'The server and its store answer.' : `Status: ${valueText(health && health.status)}`));
    } catch (error) {
      card.replaceChildren(el('p', { class: 'health-line down' }, el('span', { class: 'status-dot', 'aria-hidden': 'true' }), error.message));
    }
  }

  async function loadMetricsCard() {
    const card = $('server-metrics');
    try {
      const samples = parseMetrics(await request('GET', '/metrics', undefined, 'text/plain'));
      card.replaceChildren(metricsView(samples));
    } catch (error) {
      card.replaceChildren(cardError(error));
    }
  }

  async function loadConfigCard() {
    const card = $('server-config');
    try {
      const configuration = await api('GET', '/configure');
      card.replaceChildren(el('div', { class: 'tree', dataset: { testid: 'config-tree' } }, configTree(configuration)));
    } catch (error) {
      card.replaceChildren(cardError(error));
    }
  }

  /** Prometheus text exposition: one {name, labels, value} per sample line. */
  function parseMetrics(text) {
    const samples = [];
    const line = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
    for (const row of text.split('\n')) {
      if (!row || row.startsWith('#')) continue;
      const match = line.exec(row);
      if (match) samples.push({ name: match[1], labels: parseLabels(match[2] || ''), value: Number(match[3]) });
    }
    return samples;
  }

  function parseLabels(text) {
    const labels = {};
    const pair = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let match;
    while ((match = pair.exec(text))) {
      labels[match[1]] = match[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    return labels;
  }

  function sum(samples, name, keep) {
    return samples.filter((s) => s.name === name && (!keep || keep(s.labels))).reduce((total, s) => total + s.value, 0);
  }

  function metricsView(samples) {
    const has = (name) => samples.some((s) => s.name === name);
    const build = samples.find((s) => s.name === 'engram_build_info');
    const started = samples.find((s) => s.name === 'process_start_time_seconds');
    const requests = sum(samples, 'engram_http_requests_total');
    const failures = sum(samples, 'engram_http_requests_total', (labels) => Number(labels.status) >= 500);
    const refused = sum(samples, 'engram_http_requests_total', (labels) => Number(labels.status) >= 400 && Number(labels.status) < 500);
    const durationSum = sum(samples, 'engram_http_request_duration_seconds_sum');
    const durationCount = sum(samples, 'engram_http_request_duration_seconds_count');
    const figures = [
      ['Memories', has('engram_memories') ? numberFormat.format(sum(samples, 'engram_memories')) : '—', 'memories'],
      ['Store on disk', has('engram_store_bytes') ? formatBytes(sum(samples, 'engram_store_bytes')) : '—', 'store'],
      ['Resident memory', has('process_resident_memory_bytes') ? formatBytes(sum(samples, 'process_resident_memory_bytes')) : '—', 'rss'],
      ['Requests', numberFormat.format(requests), 'requests'],
      ['Client errors (4xx)', numberFormat.format(refused), 'refused'],
      ['Server errors (5xx)', numberFormat.format(failures), 'failures'],
      ['Mean response time', durationCount ? formatDuration(durationSum / durationCount) : '—', 'latency'],
      ['Uptime', started ? formatDuration(Date.now() / 1000 - started.value) : '—', 'uptime'],
      ['Version', build && build.labels.version ? build.labels.version : '—', 'version'],
    ];
    const jobs = samples.filter((s) => s.name === 'engram_jobs');
    return el('div', {},
      el('dl', { class: 'figures' }, figures.map(([label, value, id]) => el('div', { class: 'figure', dataset: { testid: `metric-${id}` } },
        el('dt', {}, label), el('dd', {}, value)))),
      jobs.length ? el('p', { class: 'muted small' }, 'Jobs: ', jobs.map((s) => `${s.labels.status ?? '?'} ${numberFormat.format(s.value)}`).join(' · ')) : null,
      topRoutes(samples));
  }

  function topRoutes(samples) {
    const byRoute = new Map();
    for (const sample of samples) {
      if (sample.name !== 'engram_http_requests_total') continue;
      const route = `${sample.labels.method ?? ''} ${sample.labels.route ?? ''}`;
      byRoute.set(route, (byRoute.get(route) || 0) + sample.value);
    }
    const top = [...byRoute.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
    if (top.length === 0) return null;
    return el('table', { class: 'data-table compact' },
      el('caption', {}, 'Busiest routes'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Route'), el('th', { scope: 'col', class: 'num' }, 'Requests'))),
      el('tbody', {}, top.map(([route, count]) => el('tr', {}, el('td', { class: 'mono small' }, route), el('td', { class: 'num' }, numberFormat.format(count))))));
  }

  /** The configuration as nested lists of keys and values, built from text nodes only. */
  function configTree(value) {
    if (value === null || typeof value !== 'object') return configValue(value);
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
    if (entries.length === 0) return el('span', { class: 'muted' }, Array.isArray(value) ? '[]' : '{}');
    return el('ul', {}, entries.map(([key, item]) => el('li', {},
      el('span', { class: 'tree-key' }, key),
      item !== null && typeof item === 'object' ? configTree(item) : configValue(item))));
  }

  function configValue(value) {
    if (value === null || value === undefined) return el('span', { class: 'tree-value muted' }, 'none');
    if (value === '[redacted]') return el('span', { class: 'tree-value tag' }, 'redacted');
    const kind = typeof value === 'string' ? 'string' : 'literal';
    return el('span', { class: `tree-value ${kind}` }, valueText(value));
  }

  // ---------------------------------------------------------------- wiring

  function wireControls() {
    on('sign-in-form', 'submit', signIn);
    on('sign-out', 'click', signOut);
    on('boot-retry', 'click', probe);
    $('brand-link').addEventListener('click', (event) => {
      if (!state.signedIn || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      chooseScope(null);
    });
    window.addEventListener('popstate', () => {
      if (state.signedIn) applyLocation();
    });

    on('scope-filter', 'input', renderScopes);
    on('refresh-scopes', 'click', refreshScopes);
    on('open-scope-form', 'submit', openTypedScope);

    for (const name of TABS) {
      on(`tab-${name}`, 'click', () => showTab(name));
      $(`tab-${name}`).addEventListener('keydown', tabKeys);
    }

    on('add-form', 'submit', submitAdd);
    on('filter-form', 'submit', applyFilters);
    on('filter-add-row', 'click', () => addFilterRow().focus());
    on('filter-clear', 'click', clearFilters);
    on('filter-mode-rows', 'change', switchFilterMode);
    on('filter-mode-json', 'change', switchFilterMode);
    on('show-expired', 'change', (event) => { state.memories.showExpired = event.target.checked; return goToPage(1); });
    on('show-superseded', 'change', (event) => { state.memories.showSuperseded = event.target.checked; return goToPage(1); });
    on('select-page', 'change', selectPage);
    on('delete-selected', 'click', deleteSelected);
    on('refresh-memories', 'click', () => Promise.all([loadMemories(), refreshScopes()]));
    on('page-prev', 'click', () => goToPage(Math.max(1, state.memories.page - 1)));
    on('page-next', 'click', () => goToPage(state.memories.page + 1));
    on('page-size', 'change', (event) => { state.memories.pageSize = Number(event.target.value); return goToPage(1); });

    on('edit-form', 'submit', saveEdit);
    on('edit-cancel', 'click', () => $('edit-dialog').close());
    on('confirm-cancel', 'click', () => $('confirm-dialog').close('cancel'));
    on('confirm-ok', 'click', () => $('confirm-dialog').close('confirm'));
    on('history-close', 'click', () => $('history-dialog').close());

    on('search-form', 'submit', runSearch);

    on('graph-history', 'change', (event) => { state.graph.includeHistory = event.target.checked; return loadGraph(); });
    $('graph-time').addEventListener('input', moveTimeSlider);
    on('graph-now', 'click', graphToNow);
    on('refresh-graph', 'click', refreshGraph);
    on('graph-focus-clear', 'click', () => focusEntity(null));

    window.addEventListener('resize', redrawGraphSoon);

    on('refresh-jobs', 'click', loadJobs);
    on('jobs-prev', 'click', () => { state.jobs.page = Math.max(1, state.jobs.page - 1); return loadJobs(); });
    on('jobs-next', 'click', () => { state.jobs.page += 1; return loadJobs(); });
    on('refresh-server', 'click', loadServer);

    clearFilterForm();
  }

  document.addEventListener('DOMContentLoaded', handler(boot));
})();
