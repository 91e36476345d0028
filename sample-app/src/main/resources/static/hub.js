// The hub's page: polls GET /agents and lets a person call an agent through the hub.
// Plain JavaScript, served as a static file: no framework, no build step.
'use strict';

// What each button asks the hub; the hub then calls the agent over its socket.
const REQUESTS = [
	{ label: 'status', path: 'status' },        // hub service code: registry + WebClient
	{ label: 'items', path: 'items' },          // the OpenAPI-generated client
	{ label: 'hello hub', path: 'hello-hub' }   // the agent calls the hub back
];

const POLL_INTERVAL_MS = 1000;

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
	const buttons = document.createElement('td');
	for (const request of REQUESTS) {
		const button = document.createElement('button');
		button.type = 'button';
		button.textContent = request.label;
		button.dataset.agent = agent.name;
		button.dataset.path = request.path;
		buttons.append(button);
	}
	tr.append(buttons);
	return tr;
}

// one listener for all buttons, so that it survives the table being rebuilt
rows.addEventListener('click', async (event) => {
	const button = event.target.closest('button');
	if (!button) {
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

poll();
