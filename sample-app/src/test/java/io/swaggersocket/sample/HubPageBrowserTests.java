package io.swaggersocket.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hub's page in headless Chromium, as a person uses it: the agents appear, a click
 * sends a request to one of them, and its answer shows; another opens a live WebSocket to
 * an agent through the hub's gateway, whose messages and close code show. Uses Debian's
 * {@code chromium} and {@code chromium-driver} packages ({@code .ci/run} installs them
 * when missing); where they are not installed, the test is skipped, saying so. Set
 * {@code CHROMIUM} and {@code CHROMEDRIVER} to use binaries elsewhere.
 */
class HubPageBrowserTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final List<String> CHROMIUM_FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
			"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--window-size=1200,900");

	private static final String NO_CHROMIUM = "Skipped: headless Chromium is not installed. The page tests need "
			+ "Debian's chromium and chromium-driver packages (apt-get install -y chromium chromium-driver; .ci/run "
			+ "installs them when it can), or CHROMIUM and CHROMEDRIVER naming a browser and its driver.";

	private static final By SOCKET_STATE = By.id("socket-state");

	private static Path chromium;

	private static Path chromedriver;

	@TempDir
	Path profile;

	private RunningSample sample;

	private ChromeDriver browser;

	@BeforeAll
	static void findChromium() {
		chromium = executable("CHROMIUM", "/usr/bin/chromium");
		chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
		if (chromium == null || chromedriver == null) {
			// surefire counts skipped tests without saying why: say it where a person
			// reads
			System.out.println("HubPageBrowserTests: " + NO_CHROMIUM);
		}
	}

	@BeforeEach
	void startSampleAndBrowser() {
		assumeTrue(chromium != null && chromedriver != null, NO_CHROMIUM);
		this.sample = RunningSample.start();
		ChromeOptions options = new ChromeOptions();
		// an explicit binary and driver keep Selenium Manager from trying to download
		// either
		options.setBinary(chromium.toFile());
		options.addArguments(CHROMIUM_FLAGS);
		options.addArguments("--user-data-dir=" + this.profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
	}

	@AfterEach
	void stopBrowserAndSample() {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.sample != null) {
			this.sample.close();
		}
	}

	@Test
	void pageShowsTheAgentsAndAnAgentsAnswer() throws IOException {
		this.browser.get(this.sample.hubUrl() + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT);

		WebElement agent1 = wait.until(ExpectedConditions.presenceOfElementLocated(row("agent-1")));
		wait.until(ExpectedConditions.presenceOfElementLocated(row("agent-2")));
		assertThat(agent1.getText()).contains("eu-west", this.sample.agentConnection("agent-1").id());

		this.browser.findElement(button("agent-1", "status")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("request"), "200"));
		assertThat(this.browser.findElement(By.id("response")).getText()).contains("\"name\": \"agent-1\"",
				"\"hubConnected\": true");

		this.browser.findElement(button("agent-2", "items")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("response"), "agent-2 sensor"));
		screenshot("hub-page.png");
	}

	@Test
	void pageFollowsAnAgentThatReconnects() {
		this.browser.get(this.sample.hubUrl() + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT);
		String before = this.sample.agentConnection("agent-2").id();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(row("agent-2"), before));

		// the hub drops the agent's socket; the agent dials again and gets a new
		// connection id
		this.sample.agentConnection("agent-2").close().block(WAIT);
		wait.until((driver) -> {
			String shown = driver.findElement(row("agent-2")).getText();
			return !shown.contains(before) && shown.contains("us-east");
		});
	}

	@Test
	void pageShowsTicksFromAnAgentOverALiveWebSocket() throws IOException {
		this.browser.get(this.sample.hubUrl() + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT);

		wait.until(ExpectedConditions.elementToBeClickable(socketButton("agent-1", "ws/ticks"))).click();
		wait.until(
				ExpectedConditions.textToBePresentInElementLocated(SOCKET_STATE, "/peers/name=agent-1/ws/ticks: open"));
		wait.withMessage(this::socketShown).until((driver) -> socketMessages().size() >= 2);
		List<String> ticks = socketMessages();
		assertThat(ticks.get(0)).startsWith("{\"agent\":\"agent-1\",\"sequence\":1,");
		assertThat(ticks.get(1)).startsWith("{\"agent\":\"agent-1\",\"sequence\":2,");
		screenshot("hub-page-websocket.png");

		// the agent answers the page's close with the same code and reason
		this.browser.findElement(By.id("socket-close")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(SOCKET_STATE,
				"closed with code 1000 (closed on the page)"));
	}

	@Test
	void echoBoxSendsToTheAgentOverALiveWebSocketAndShowsItsAnswer() {
		this.browser.get(this.sample.hubUrl() + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT);

		wait.until(ExpectedConditions.elementToBeClickable(socketButton("agent-2", "ws/echo"))).click();
		WebElement text = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("echo-text")));
		text.sendKeys("hello from the page");
		text.submit();
		wait.withMessage(this::socketShown)
			.until((driver) -> socketMessages().contains("agent-2 echoes: hello from the page"));
		assertThat(socketMessages()).containsExactly("hello from the page", "agent-2 echoes: hello from the page");
	}

	@Test
	void pageShowsGoingAwayWhenTheAgentsConnectionClosesInOrder() {
		this.browser.get(this.sample.hubUrl() + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT);
		wait.until(ExpectedConditions.elementToBeClickable(socketButton("agent-1", "ws/ticks"))).click();
		wait.withMessage(this::socketShown).until((driver) -> !socketMessages().isEmpty());

		// the hub closes the agent's socket in an orderly way, and with it the
		// WebSocket carried over it: the agent went away (1001)
		this.sample.agentConnection("agent-1").close().block(WAIT);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(SOCKET_STATE, "closed with code 1001"));
	}

	private List<String> socketMessages() {
		return this.browser.findElements(By.cssSelector("#socket-messages li"))
			.stream()
			.map(WebElement::getText)
			.toList();
	}

	// what a failed wait reports
	private String socketShown() {
		return "the page shows '" + this.browser.findElement(SOCKET_STATE).getText() + "' and messages "
				+ socketMessages();
	}

	private static By socketButton(String agent, String path) {
		return By.cssSelector("button[data-agent='" + agent + "'][data-socket='" + path + "']");
	}

	private static By row(String agent) {
		return By.cssSelector("#agents tbody tr[data-agent='" + agent + "']");
	}

	private static By button(String agent, String path) {
		return By.cssSelector("button[data-agent='" + agent + "'][data-path='" + path + "']");
	}

	// kept in target/ for a person to look at what the test saw
	private void screenshot(String name) throws IOException {
		File shot = this.browser.getScreenshotAs(OutputType.FILE);
		Path target = Path.of("target", "screenshots", name);
		Files.createDirectories(target.getParent());
		Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
	}

	private static Path executable(String variable, String fallback) {
		return Stream.of(System.getenv(variable), fallback)
			.filter(Objects::nonNull)
			.map(Path::of)
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
	}

}
