// The hub's page: polls GET /agents, lets a person call an agent through the hub, and opens
// a live WebSocket to an agent through the hub's gateway.
// Plain JavaScript, served as a static file: no framework, no build step.
'use strict';

// What each button asks the hub; the hub then calls the agent over its socket.
const REQUESTS = [
	{ label: 'status', path: 'status' },        // hub service code: registry + WebClient
	{ label: 'items', path: 'items' },          // the OpenAPI-generated client
	{ label: 'hello hub', path: 'hello-hub' }   // the agent calls the hub back
];

// The agent's WebSocket handlers each socket button opens, reached through the hub's gateway
// (/peers/name=<agent>/...) and the agent's socket.
const SOCKETS = [
	{ label: 'ticks', path: 'ws/ticks' },       // a tick a second, until closed
	{ label: 'echo', path: 'ws/echo' }          // answers each message sent from the echo box
];

const POLL_INTERVAL_MS = 1000;

// the page keeps only the latest messages of a socket, however long it stays open
const MAX_SHOWN_MESSAGES = 50;

const rows = document.querySelector('#agents tbody');
let shown = '';

async function poll() {
	try {
		const response = await fetch('agents', { headers: { Accept: 'application/json' } });
		if (!response.ok) {
			throw new Error('GET /agents answered ' + response.status);
		}
		render(await response.json());
		document.getElementById('poll-error').hidden = true;
	}
	catch (error) {
		const message = document.getElementById('poll-error');
		message.textContent = 'Cannot list the agents: ' + error.message;
		message.hidden = false;
	}
	finally {
		setTimeout(poll, POLL_INTERVAL_MS);
	}
}

function render(agents) {
	// rebuild only on change, so that a button is not replaced under a person's pointer
	const json = JSON.stringify(agents);
	if (json === shown) {
		return;
	}
	shown = json;
	rows.replaceChildren(...agents.map(row));
	document.getElementById('no-agents').hidden = agents.length > 0;
}

function row(agent) {
	const tr = document.createElement('tr');
	tr.dataset.agent = agent.name;
	for (const [text, css] of [[agent.name], [agent.region], [agent.id, 'id'], [new Date(agent.connectedAt).toLocaleString()]]) {
		const td = document.createElement('td');
		td.textContent = text;
		if (css) {
			td.className = css;
		}
		tr.append(td);
	}
	tr.append(buttonCell(agent, REQUESTS, 'path'));
	tr.append(buttonCell(agent, SOCKETS, 'socket'));
	return tr;
}

// a cell of buttons, each naming the agent and, under the given key, its path
function buttonCell(agent, entries, key) {
	const td = document.createElement('td');
	for (const entry of entries) {
		const button = document.createElement('button');
		button.type = 'button';
		button.textContent = entry.label;
		button.dataset.agent = agent.name;
		button.dataset[key] = entry.path;
		td.append(button);
	}
	return td;
}

// one listener for all buttons, so that it survives the table being rebuilt
rows.addEventListener('click', async (event) => {
	const button = event.target.closest('button');
	if (!button) {
		return;
	}
	if (button.dataset.socket) {
		openSocket(button.dataset.agent, button.dataset.socket);
		return;
	}
	const path = 'agents/' + encodeURIComponent(button.dataset.agent) + '/' + button.dataset.path;
	const request = document.getElementById('request');
	const answer = document.getElementById('response');
	request.textContent = 'GET /' + path + ' ...';
	answer.textContent = '';
	try {
		const response = await fetch(path, { headers: { Accept: 'application/json' } });
		const body = await response.text();
		request.textContent = 'GET /' + path + ' \u2192 ' + response.status;
		answer.textContent = pretty(body);
	}
	catch (error) {
		request.textContent = 'GET /' + path + ' failed: ' + error.message;
	}
});

function pretty(body) {
	try {
		return JSON.stringify(JSON.parse(body), null, 2);
	}
	catch (notJson) {
		return body;
	}
}

// The one WebSocket the page has open, if any: opening another closes it.
let socket = null;

const socketState = document.getElementById('socket-state');
const socketMessages = document.getElementById('socket-messages');
const socketClose = document.getElementById('socket-close');
const echo = document.getElementById('echo');
const echoText = document.getElementById('echo-text');

function openSocket(agent, path) {
	if (socket) {
		socket.close(1000, 'the page opened another WebSocket');
	}
	// the agent by selector, so that the socket reaches it whatever its connection id
	const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
		+ '/peers/name=' + encodeURIComponent(agent) + '/' + path;
	const ws = new WebSocket(url);
	socket = ws;
	socketMessages.replaceChildren();
	socketState.textContent = url + ': connecting...';
	socketClose.disabled = false;
	echo.hidden = true;
	// events of a socket the page has since replaced are ignored, but for its close
	ws.addEventListener('open', () => {
		if (socket === ws) {
			socketState.textContent = url + ': open';
			echo.hidden = path !== 'ws/echo';
		}
	});
	ws.addEventListener('message', (event) => {
		if (socket === ws) {
			show(event.data, 'received');
		}
	});
	ws.addEventListener('close', (event) => {
		if (socket === ws) {
			socket = null;
			socketState.textContent = url + ': closed with code ' + event.code
				+ (event.reason ? ' (' + event.reason + ')' : '');
			socketClose.disabled = true;
			echo.hidden = true;
		}
	});
}

function show(text, css) {
	const li = document.createElement('li');
	li.textContent = text;
	li.className = css;
	socketMessages.append(li);
	while (socketMessages.children.length > MAX_SHOWN_MESSAGES) {
		socketMessages.firstElementChild.remove();
	}
}

socketClose.addEventListener('click', () => {
	if (socket) {
		socket.close(1000, 'closed on the page');
	}
});

echo.addEventListener('submit', (event) => {
	event.preventDefault();
	if (socket && socket.readyState === WebSocket.OPEN && echoText.value) {
		socket.send(echoText.value);
		show(echoText.value, 'sent');
		echoText.value = '';
	}
});

poll();
