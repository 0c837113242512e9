//! `cargo xtask browser-test`: the built book in a real headless browser.
//!
//! Debian's `chromium`, driven through WebDriver (`chromedriver` and the `fantoccini`
//! crate), opens the pages of `target/book/html/` from disk, as a reader who downloaded the
//! book would, and:
//!
//! - loads every page at 400 px wide and fails on a console error, and on content wider
//!   than the window (a table or an equation may be wider only inside a container of its
//!   own that scrolls);
//! - operates every widget (select, click, type, arrow keys, a file upload) and compares its
//!   numbers with cnn-core's, from `tests/widgets/*.json` (written by
//!   `examples/book_data.rs`);
//! - answers one quiz question, to see that the quizzes run;
//! - saves screenshots of every widget and of two narrow pages in `target/browser-test/`.
//!
//! The book must be built first (`cargo xtask book`). If `chromium` or `chromedriver` is
//! missing, it is installed with apt-get when running as root (as CI does), otherwise the
//! command says how to install it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Tolerance for numbers compared with cnn-core: the page computes in float64 what
/// cnn-core computes in float32, in another order.
const TOLERANCE: f64 = 1e-5;

/// The width at which every page must fit.
const NARROW: u32 = 400;

pub fn browser_test(root: &Path) -> Result<()> {
    let html = root.join("target/book/html");
    if !html.join("index.html").exists() {
        bail!(
            "{} does not exist: build the book first with `cargo xtask book`",
            html.join("index.html").display()
        );
    }
    let (chromium, chromedriver) = ensure_browser()?;
    let shots = root.join("target/browser-test");
    std::fs::create_dir_all(&shots).with_context(|| format!("creating {}", shots.display()))?;
    let driver = Driver::start(&chromedriver)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let test = Test {
        root: root.to_path_buf(),
        html,
        shots,
        failures: Vec::new(),
        checks: 0,
        edition: String::new(),
    };
    let result = runtime.block_on(test.run(&chromium, driver.port));
    drop(driver);
    let test = result?;
    for failure in &test.failures {
        eprintln!("FAIL {failure}");
    }
    println!(
        "browser test: {} passed, {} failed (screenshots in {})",
        test.checks - test.failures.len(),
        test.failures.len(),
        test.shots.display()
    );
    if !test.failures.is_empty() {
        bail!("{} browser check(s) failed; see above", test.failures.len());
    }
    Ok(())
}

/// The paths of `chromium` and `chromedriver`, installed with apt-get if missing.
fn ensure_browser() -> Result<(PathBuf, PathBuf)> {
    let find = |name: &str| -> Option<PathBuf> {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    if let (Some(browser), Some(driver)) = (find("chromium"), find("chromedriver")) {
        return Ok((browser, driver));
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        bail!(
            "the browser test needs Debian's chromium and chromedriver: \
             sudo apt-get install chromium chromium-driver"
        );
    }
    println!("==> Installing chromium and chromium-driver with apt-get");
    let status = Command::new("sh")
        .args([
            "-c",
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver",
        ])
        .status()
        .context("could not run apt-get")?;
    if !status.success() {
        bail!("apt-get could not install chromium and chromium-driver ({status})");
    }
    match (find("chromium"), find("chromedriver")) {
        (Some(browser), Some(driver)) => Ok((browser, driver)),
        _ => bail!("apt-get installed chromium, but chromium or chromedriver is not on the PATH"),
    }
}

/// A chromedriver listening on a free local port; stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(chromedriver: &Path) -> Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", chromedriver.display()))?;
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not start listening on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's log of the browser console (`goog:loggingPrefs`), read and cleared.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

/// A Chrome DevTools Protocol command, through chromedriver.
#[derive(Debug)]
struct Cdp {
    command: &'static str,
    parameters: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.parameters });
        (http::Method::POST, Some(body.to_string()))
    }
}

struct Test {
    root: PathBuf,
    html: PathBuf,
    shots: PathBuf,
    failures: Vec<String>,
    checks: usize,
    /// The edition under test: "" for the English pages, `LANG/` for a translation's.
    edition: String,
}

/// The text of the Tiny VGG widget's message for a file that is not an image, in each
/// edition (book/widgets/strings.js).
fn unreadable_photo_message(edition: &str) -> &'static str {
    if edition.starts_with("zh-CN") {
        "无法把 README.md 读取为 PNG 或 JPEG 图像"
    } else {
        "Could not read README.md as a PNG or JPEG image"
    }
}

/// The largest difference between two equally long lists of numbers.
fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Every number in a JSON value (arrays of arrays flattened), in order.
fn numbers(value: &Value) -> Vec<f64> {
    match value {
        Value::Number(n) => vec![n.as_f64().unwrap_or(f64::NAN)],
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

impl Test {
    /// Record one check.
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            let what = what();
            eprintln!("FAIL {what}");
            self.failures.push(what);
        }
    }

    /// Record that `got` equals `expected` within TOLERANCE.
    fn check_close(&mut self, got: &Value, expected: &Value, what: &str) {
        let difference = largest_difference(&numbers(got), &numbers(expected));
        self.check(difference <= TOLERANCE, || {
            format!(
                "{what}: differs from cnn-core by {difference:e}; got {got}, expected {expected}"
            )
        });
    }

    fn expected(&self, name: &str) -> Result<Value> {
        let path = self.root.join(format!("tests/widgets/{name}.json"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (run `cargo xtask figures`)", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
    }

    fn page_url(&self, page: &str) -> Result<String> {
        let path = self.html.join(&self.edition).join(page);
        let url = url::Url::from_file_path(&path)
            .map_err(|()| anyhow::anyhow!("{} is not an absolute path", path.display()))?;
        Ok(url.to_string())
    }

    async fn run(mut self, chromium: &Path, port: u16) -> Result<Test> {
        let profile =
            std::env::temp_dir().join(format!("cnn-book-chromium-{}", std::process::id()));
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.display()),
                    "--window-size=1100,900",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("could not start a chromium session through chromedriver")?;
        let outcome = self.all(&client).await;
        let _ = client.close().await;
        let _ = std::fs::remove_dir_all(&profile);
        outcome?;
        Ok(self)
    }

    /// Every check, in the English edition and then in each translation (the same widgets
    /// with the same numbers, their text in the page's language), then the language switch.
    async fn all(&mut self, client: &Client) -> Result<()> {
        let translations = crate::editions::TRANSLATIONS
            .iter()
            .map(|t| format!("{}/", t.language));
        for edition in std::iter::once(String::new()).chain(translations) {
            self.edition = edition;
            if !self.edition.is_empty() {
                println!("  the {} edition:", self.edition.trim_end_matches('/'));
            }
            self.pages(client).await?;
            // Tall enough to see every widget whole in its screenshot.
            client.set_window_size(1100, 2400).await?;
            self.console(client).await?; // start from an empty log
            self.convolution(client).await?;
            self.output_size(client).await?;
            self.pooling(client).await?;
            self.receptive_field(client).await?;
            // After operating the widgets: every text they showed was in the page's language
            // (a text missing from book/widgets/strings.js is logged as an error).
            let errors: Vec<String> = self
                .console(client)
                .await?
                .into_iter()
                .filter(|(level, _)| level == "SEVERE")
                .map(|(_, text)| text)
                .collect();
            let edition = self.edition.clone();
            self.check(errors.is_empty(), || {
                format!(
                    "widgets of the edition `{edition}`: console errors: {}",
                    errors.join(" | ")
                )
            });
            self.tiny_vgg(client).await?;
            self.quiz(client).await?;
            self.search(client).await?;
        }
        self.edition = String::new();
        self.language_switch(client).await
    }

    /// The search box finds a word of the edition's language, and its results stay in the
    /// edition: `pooling` in English, 池化 (pooling) in Chinese, whose index is built by
    /// pairs of characters (editions.rs, `search_tokens`).
    async fn search(&mut self, client: &Client) -> Result<()> {
        let word = if self.edition.is_empty() {
            "pooling"
        } else {
            "池化"
        };
        self.open(client, "ch01-convolution.html").await?;
        self.click(client, "#mdbook-search-toggle").await?;
        let bar = client.find(Locator::Css("#mdbook-searchbar")).await?;
        bar.send_keys(word).await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let results = loop {
            let results = client
                .execute(
                    "return Array.from(document.querySelectorAll('#mdbook-searchresults li a'))\
                     .map((a) => a.href)",
                    vec![],
                )
                .await?;
            let found = results.as_array().map_or(0, Vec::len);
            if found > 0 || Instant::now() > deadline {
                break results.as_array().cloned().unwrap_or_default();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let edition = self.edition.clone();
        self.check(!results.is_empty(), || {
            format!("searching `{word}` in the edition `{edition}` finds nothing")
        });
        let folder = format!("/html/{edition}ch03-pooling.html");
        let pooling = results
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.contains(&folder)));
        self.check(pooling, || {
            format!("searching `{word}` does not find chapter 3 ({folder}): {results:?}")
        });
        self.screenshot_widget(client, "#mdbook-searchresults-outer", "search.png")
            .await?;
        println!("    search: `{word}` finds {} sections", results.len());
        Ok(())
    }

    /// The language switch on a page of every edition leads to the same page, at the same
    /// heading, in the other edition: marked with its language and titled in it.
    async fn language_switch(&mut self, client: &Client) -> Result<()> {
        let place = "#max-and-average-pooling";
        for translation in crate::editions::TRANSLATIONS {
            let language = translation.language;
            let english = format!("{}{place}", self.page_url("ch03-pooling.html")?);
            client.goto(&english).await?;
            let mut expected = english.clone();
            for (to, title) in [
                (language, translation.title),
                ("en", "Convolutional Neural Networks"),
            ] {
                self.click(client, "a.edition-switch").await?;
                let deadline = Instant::now() + Duration::from_secs(10);
                let page = loop {
                    let page = client
                        .execute(
                            "return [location.href, document.documentElement.lang, document.title, \
                             Boolean(document.getElementById(location.hash.slice(1)))]",
                            vec![],
                        )
                        .await?;
                    if page[1] == json!(to) || Instant::now() > deadline {
                        break page;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                };
                expected = if to == "en" {
                    english.clone()
                } else {
                    expected.replace(
                        "/html/ch03-pooling.html",
                        &format!("/html/{language}/ch03-pooling.html"),
                    )
                };
                let url = page[0].as_str().unwrap_or_default().to_string();
                self.check(url == expected, || {
                    format!("the language switch to `{to}` leads to {url}, not {expected}")
                });
                self.check(page[1] == json!(to), || {
                    format!(
                        "the page the switch to `{to}` leads to has lang={}",
                        page[1]
                    )
                });
                let shown = page[2].as_str().unwrap_or_default().to_string();
                self.check(shown.contains(title), || {
                    format!(
                        "the page the switch to `{to}` leads to is titled `{shown}`, not `{title}`"
                    )
                });
                self.check(page[3] == json!(true), || {
                    format!("the page the switch to `{to}` leads to has no element {place}")
                });
                if to == language {
                    self.screenshot_widget(client, "main", "language-switch.png")
                        .await?;
                }
            }
        }
        println!("    language switch: English ⇄ each translation, same page, same place");
        Ok(())
    }

    /// Open a page and wait until its widgets are built (and its quiz is drawn).
    async fn open(&mut self, client: &Client, page: &str) -> Result<()> {
        client.goto(&self.page_url(page)?).await?;
        let wait = r#"
            const done = arguments[arguments.length - 1];
            const quizzes = () => Array.from(document.querySelectorAll(".quiz-placeholder"))
                .every((q) => q.children.length > 0);
            const ready = window.CnnWidgets ? window.CnnWidgets.ready : Promise.resolve(0);
            ready.then(() => {
                const start = Date.now();
                const poll = () => (quizzes() || Date.now() - start > 10000) ? done(true) : setTimeout(poll, 50);
                poll();
            });
        "#;
        client.execute_async(wait, vec![]).await?;
        Ok(())
    }

    /// The console messages logged since the last call, as (level, text).
    async fn console(&mut self, client: &Client) -> Result<Vec<(String, String)>> {
        let log = client.issue_cmd(BrowserLog).await?;
        let entries = log.as_array().cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .map(|e| {
                let level = e["level"].as_str().unwrap_or_default().to_string();
                let text = e["message"].as_str().unwrap_or_default().to_string();
                (level, text)
            })
            .collect())
    }

    /// Every page at 400 px: no console error, nothing wider than the window.
    async fn pages(&mut self, client: &Client) -> Result<()> {
        let mut pages: Vec<String> = std::fs::read_dir(self.html.join(&self.edition))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            // print.html opens the print dialog; toc.html is the sidebar's frame; 404.html
            // links from the site's root, so only a web server can show it.
            .filter(|name| name.ends_with(".html"))
            .filter(|name| !["print.html", "toc.html", "404.html"].contains(&name.as_str()))
            .collect();
        pages.sort();
        self.check(pages.len() >= 14, || {
            format!("only {} pages were built", pages.len())
        });
        // A phone-sized viewport (a desktop window cannot be made this narrow).
        let phone =
            json!({ "width": NARROW, "height": 900, "deviceScaleFactor": 1, "mobile": true });
        client
            .issue_cmd(Cdp {
                command: "Emulation.setDeviceMetricsOverride",
                parameters: phone,
            })
            .await?;
        self.console(client).await?; // start from an empty log
        for page in &pages {
            self.open(client, page).await?;
            let width = client.execute("return window.innerWidth", vec![]).await?;
            let overflow = client.execute(OVERFLOW_SCRIPT, vec![]).await?;
            let console = self.console(client).await?;
            let errors: Vec<String> = console
                .iter()
                .filter(|(level, _)| level == "SEVERE")
                .map(|(_, text)| text.clone())
                .collect();
            self.check(errors.is_empty(), || {
                format!("{page}: console errors: {}", errors.join(" | "))
            });
            let too_wide = overflow["document"].as_f64().unwrap_or(0.0);
            let viewport = width.as_f64().unwrap_or(0.0);
            self.check(viewport == f64::from(NARROW), || {
                format!("{page}: the window is {viewport} px wide, not {NARROW}")
            });
            self.check(too_wide <= viewport, || {
                format!("{page}: the page is {too_wide} px wide in a {viewport} px window")
            });
            let (content, visible) = (&overflow["content"], &overflow["contentVisible"]);
            self.check(content.as_f64() <= visible.as_f64(), || {
                format!("{page}: the text column scrolls sideways: {content} px in {visible} px")
            });
            let elements = overflow["elements"].as_array().cloned().unwrap_or_default();
            self.check(elements.is_empty(), || {
                format!("{page}: elements wider than the window at {NARROW} px: {elements:?}")
            });
            // A phone-sized screenshot of one widget per chapter that has some.
            let shot = match page.as_str() {
                "ch02-feature-maps.html" => Some(r#".widget[data-widget="convolution"]"#),
                "ch03-pooling.html" => Some(r#".widget[data-widget="receptive-field"]"#),
                "ch04-output-size.html" => Some(r#".widget[data-widget="output-size"]"#),
                "ch07-tiny-vgg.html" => Some(r#".widget[data-widget="tiny-vgg"]"#),
                _ => None,
            };
            if let Some(selector) = shot {
                let name = format!("{}-400px.png", page.trim_end_matches(".html"));
                self.screenshot_widget(client, selector, &name).await?;
            }
        }
        client
            .issue_cmd(Cdp {
                command: "Emulation.clearDeviceMetricsOverride",
                parameters: json!({}),
            })
            .await?;
        println!(
            "    pages{}: {} loaded at {NARROW} px",
            if self.edition.is_empty() {
                ""
            } else {
                " (translated)"
            },
            pages.len()
        );
        Ok(())
    }

    async fn screenshot_widget(
        &mut self,
        client: &Client,
        selector: &str,
        name: &str,
    ) -> Result<()> {
        let element = client.find(Locator::Css(selector)).await?;
        // Scroll the element's top just below mdBook's menu bar.
        let scroll = "arguments[0].scrollIntoView(); window.scrollBy(0, -60)";
        client
            .execute(scroll, vec![serde_json::to_value(&element)?])
            .await?;
        let png = element.screenshot().await?;
        let prefix = self.edition.replace('/', "-");
        let path = self.shots.join(format!("{prefix}{name}"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// `element.cnnState` of the widget `name`.
    async fn state(&self, client: &Client, name: &str) -> Result<Value> {
        let script =
            format!(r#"return document.querySelector('.widget[data-widget="{name}"]').cnnState"#);
        Ok(client.execute(&script, vec![]).await?)
    }

    async fn select(&self, client: &Client, widget: &str, index: usize, value: &str) -> Result<()> {
        let selector = format!(r#".widget[data-widget="{widget}"] select"#);
        let selects = client.find_all(Locator::Css(&selector)).await?;
        let select = selects
            .get(index)
            .with_context(|| format!("{widget} has no select number {index}"))?;
        select.select_by_value(value).await?;
        Ok(())
    }

    async fn click(&self, client: &Client, selector: &str) -> Result<()> {
        client.find(Locator::Css(selector)).await?.click().await?;
        Ok(())
    }

    /// Replace the value of an input field as a reader would: select all (Ctrl+A), type,
    /// and leave the field with Tab, which commits it.
    async fn type_into(&self, client: &Client, selector: &str, text: &str) -> Result<()> {
        let field = client.find(Locator::Css(selector)).await?;
        let keys = format!(
            "{}a{}{}{text}{}",
            Key::Control,
            Key::Null,
            Key::Backspace,
            Key::Tab
        );
        field.send_keys(&keys).await?;
        Ok(())
    }

    /// Chapter 2: every filter, stride and padding; the keys, the buttons, an edit.
    async fn convolution(&mut self, client: &Client) -> Result<()> {
        let expected = self.expected("convolution")?;
        self.open(client, "ch02-feature-maps.html").await?;
        let w = r#".widget[data-widget="convolution"]"#;
        self.click(client, &format!(r#"{w} [data-action="all"]"#))
            .await?;
        for case in expected["cases"].as_array().context("cases")? {
            let (filter, stride, padding) = (&case["filter"], &case["stride"], &case["padding"]);
            self.select(client, "convolution", 0, &filter.to_string())
                .await?;
            self.select(client, "convolution", 1, &stride.to_string())
                .await?;
            self.select(client, "convolution", 2, &padding.to_string())
                .await?;
            // Choosing a filter resets the widget; show the whole output again.
            let shown = client
                .execute(
                    &format!(r#"return Array.from(document.querySelectorAll('{w} [data-role="output"] td')).map((td) => td.textContent)"#),
                    vec![],
                )
                .await?;
            if shown
                .as_array()
                .is_some_and(|cells| cells.iter().any(|c| c == ""))
            {
                self.click(client, &format!(r#"{w} [data-action="all"]"#))
                    .await?;
            }
            let cells = client
                .execute(
                    &format!(r#"const rows = Array.from(document.querySelectorAll('{w} [data-role="output"] tr'));
                       return rows.map((tr) => Array.from(tr.children).map((td) => Number(td.textContent)))"#),
                    vec![],
                )
                .await?;
            let what = format!(
                "convolution, filter {filter}, stride {stride}, padding {padding}: the output shown"
            );
            self.check_close(&cells, &case["output"], &what);
        }
        // Keys: filter 1, stride 1, padding 0; Home, then right twice and down once.
        self.select(client, "convolution", 0, "0").await?;
        self.select(client, "convolution", 1, "1").await?;
        self.select(client, "convolution", 2, "0").await?;
        let input = client
            .find(Locator::Css(&format!(r#"{w} [data-role="input"]"#)))
            .await?;
        input
            .send_keys(&format!(
                "{}{}{}{}",
                Key::Home,
                Key::Right,
                Key::Right,
                Key::Down
            ))
            .await?;
        let state = self.state(client, "convolution").await?;
        let case = &expected["cases"][0]; // filter 0, stride 1, padding 0
        self.check(state["position"] == json!([1, 2]), || {
            format!(
                "convolution: the arrow keys moved the window to {}, not [1, 2]",
                state["position"]
            )
        });
        self.check_close(
            &state["sum"],
            &case["output"][1][2],
            "convolution: the sum of the nine products at (1, 2)",
        );
        let products_ok = state["terms"].as_array().is_some_and(|terms| {
            terms.len() == 9
                && terms.iter().all(|t| {
                    let (x, w, p) = (t["x"].as_f64(), t["w"].as_f64(), t["product"].as_f64());
                    matches!((x, w, p), (Some(x), Some(w), Some(p)) if (x * w - p).abs() < 1e-12)
                })
        });
        self.check(products_ok, || {
            format!(
                "convolution: the nine products are not x times w: {}",
                state["terms"]
            )
        });
        self.click(client, &format!(r#"{w} [data-action="step"]"#))
            .await?;
        let state = self.state(client, "convolution").await?;
        self.check(state["position"] == json!([1, 3]), || {
            format!(
                "convolution: Step moved the window to {}, not [1, 3]",
                state["position"]
            )
        });
        // A click on the input centres the window on the cell: (4, 2) -> position (3, 1).
        self.click(
            client,
            &format!(r#"{w} [data-role="input"] td[data-row="4"][data-col="2"]"#),
        )
        .await?;
        let state = self.state(client, "convolution").await?;
        self.check(state["position"] == json!([3, 1]), || {
            format!(
                "convolution: a click on pixel (4, 2) moved the window to {}, not [3, 1]",
                state["position"]
            )
        });
        // Drag: press on pixel (1, 1), move to (4, 4), release; the window follows to (3, 3).
        let centres = client
            .execute(
                &format!(
                    r#"return [[1, 1], [4, 4]].map(([r, c]) => {{
                        const rect = document.querySelector('{w} [data-role="input"] td[data-row="' + r + '"][data-col="' + c + '"]').getBoundingClientRect();
                        return [rect.left + rect.width / 2, rect.top + rect.height / 2];
                    }})"#
                ),
                vec![],
            )
            .await?;
        let point = |i: usize, j: usize| centres[i][j].as_f64().unwrap_or(0.0);
        let drag = MouseActions::new("mouse".to_string())
            .then(PointerAction::MoveTo {
                duration: None,
                x: point(0, 0),
                y: point(0, 1),
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(300)),
                x: point(1, 0),
                y: point(1, 1),
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        client.perform_actions(drag).await?;
        let state = self.state(client, "convolution").await?;
        self.check(state["position"] == json!([3, 3]), || {
            format!(
                "convolution: dragging to pixel (4, 4) moved the window to {}, not [3, 3]",
                state["position"]
            )
        });
        self.check_close(
            &state["sum"],
            &case["output"][3][3],
            "convolution: the sum after dragging",
        );
        self.screenshot_widget(client, w, "convolution.png").await?;
        // Edit one pixel and one weight; compare with cnn-core's output for the same edit.
        let edit = &expected["edit"];
        self.click(client, &format!(r#"{w} [data-action="edit"]"#))
            .await?;
        let (r, c, v) = (&edit["pixel"][0], &edit["pixel"][1], &edit["pixel"][2]);
        self.type_into(
            client,
            &format!(r#"{w} input[data-pixel="{r},{c}"]"#),
            &v.to_string(),
        )
        .await?;
        let (u, q, x) = (&edit["weight"][0], &edit["weight"][1], &edit["weight"][2]);
        self.type_into(
            client,
            &format!(r#"{w} input[data-kernel="{u},{q}"]"#),
            &x.to_string(),
        )
        .await?;
        let state = self.state(client, "convolution").await?;
        self.check_close(
            &state["output"],
            &edit["output"],
            "convolution: output after editing a pixel and a weight",
        );
        self.screenshot_widget(client, w, "convolution-edit.png")
            .await?;
        println!("    convolution stepper: checked");
        Ok(())
    }

    /// Chapter 4: the formula for every case cnn-core computed; the fields and buttons.
    async fn output_size(&mut self, client: &Client) -> Result<()> {
        let expected = self.expected("output_size")?;
        self.open(client, "ch04-output-size.html").await?;
        let w = r#".widget[data-widget="output-size"]"#;
        let cases = expected["cases"].as_array().context("cases")?;
        let inputs: Vec<Value> = cases
            .iter()
            .map(|c| json!([c["n"], c["k"], c["s"], c["p"]]))
            .collect();
        let computed = client
            .execute(
                &format!(
                    r#"const compute = document.querySelector('{w}').cnnCompute;
                   return arguments[0].map(([n, k, s, p]) => compute(n, k, s, p))"#
                ),
                vec![Value::Array(inputs)],
            )
            .await?;
        let computed = computed.as_array().cloned().unwrap_or_default();
        let mut wrong = Vec::new();
        for (case, got) in cases.iter().zip(&computed) {
            let same = case["output"] == got["output"]
                && case["dropped"] == got["dropped"]
                && largest_difference(&numbers(&case["coverage"]), &numbers(&got["coverage"]))
                    == 0.0;
            if !same {
                wrong.push(format!(
                    "n={} k={} s={} p={}",
                    case["n"], case["k"], case["s"], case["p"]
                ));
            }
        }
        self.check(computed.len() == cases.len() && wrong.is_empty(), || {
            format!(
                "output size: the widget's formula differs from cnn-core for {} of {} cases: {:?}",
                wrong.len(),
                cases.len(),
                wrong.iter().take(5).collect::<Vec<_>>()
            )
        });
        // Through the fields: type the numbers, read the formula and every pixel's count.
        for (n, k, p, s) in [
            (7, 3, 0, 2),
            (8, 3, 0, 2),
            (9, 4, 0, 3),
            (5, 3, 1, 1),
            (12, 5, 2, 3),
            (3, 6, 1, 1),
        ] {
            for (field, value) in [("n", n), ("k", k), ("p", p), ("s", s)] {
                self.type_into(
                    client,
                    &format!(r#"{w} input[data-field="{field}"]"#),
                    &value.to_string(),
                )
                .await?;
            }
            let case = cases
                .iter()
                .find(|c| c["n"] == n && c["k"] == k && c["p"] == p && c["s"] == s)
                .context("a case the widget offers")?;
            let shown = client
                .execute(
                    &format!(r#"const f = document.querySelector('{w} [data-role="formula"]');
                       const cells = Array.from(document.querySelectorAll('{w} [data-role="input"] td[data-coverage]'));
                       return {{ output: f.dataset.output === "" ? null : Number(f.dataset.output),
                                dropped: f.dataset.output === "" ? null : Number(f.dataset.dropped),
                                counts: cells.map((td) => Number(td.dataset.coverage)) }}"#),
                    vec![],
                )
                .await?;
            let coverage = numbers(&case["coverage"]);
            let counts: Vec<f64> = coverage
                .iter()
                .flat_map(|a| coverage.iter().map(move |b| a * b))
                .collect();
            let what = format!("output size n={n} k={k} p={p} s={s}");
            self.check(
                shown["output"] == case["output"] && shown["dropped"] == case["dropped"],
                || {
                    format!(
                        "{what}: shows output {} and dropped {}, cnn-core says {} and {}",
                        shown["output"], shown["dropped"], case["output"], case["dropped"]
                    )
                },
            );
            self.check(
                largest_difference(&numbers(&shown["counts"]), &counts) == 0.0,
                || {
                    format!(
                        "{what}: the windows per pixel {} differ from cnn-core's {:?}",
                        shown["counts"], counts
                    )
                },
            );
            if (n, k, p, s) == (8, 3, 0, 2) {
                self.click(client, &format!(r#"{w} [data-action="step"]"#))
                    .await?;
                self.click(client, &format!(r#"{w} [data-action="step"]"#))
                    .await?;
                let current = client
                    .execute(&format!(r#"const cells = Array.from(document.querySelectorAll('{w} [data-role="output"] td')); return cells.findIndex((td) => td.classList.contains("widget-current"))"#), vec![])
                    .await?;
                self.check(current == json!(2), || {
                    format!("output size: two steps reach window {current}, not 2")
                });
                self.screenshot_widget(client, w, "output-size.png").await?;
            }
        }
        // Play moves the window by itself; Pause stops it.
        self.type_into(client, &format!(r#"{w} input[data-field="n"]"#), "8")
            .await?;
        self.type_into(client, &format!(r#"{w} input[data-field="k"]"#), "3")
            .await?;
        self.click(client, &format!(r#"{w} [data-action="play"]"#))
            .await?;
        tokio::time::sleep(Duration::from_millis(1600)).await;
        self.click(client, &format!(r#"{w} [data-action="play"]"#))
            .await?;
        let moved = client
            .execute(&format!(r#"return document.querySelectorAll('{w} [data-role="output"] td.widget-done').length"#), vec![])
            .await?;
        self.check(moved.as_u64().unwrap_or(0) >= 1, || {
            "output size: Play did not move the window".to_string()
        });
        println!("    output size: {} cases checked", cases.len());
        Ok(())
    }

    /// Chapter 3: pooling of the lecture maps and of the photo's edge map, with shifts.
    async fn pooling(&mut self, client: &Client) -> Result<()> {
        let expected = self.expected("pooling")?;
        self.open(client, "ch03-pooling.html").await?;
        let w = r#".widget[data-widget="pooling"]"#;
        for case in expected["lecture_cases"]
            .as_array()
            .context("lecture cases")?
        {
            let (map, kind, kernel, stride) = (
                &case["map"],
                case["kind"].as_str().unwrap_or_default(),
                &case["kernel"],
                &case["stride"],
            );
            self.select(client, "pooling", 0, &map.to_string()).await?;
            self.select(client, "pooling", 1, kind).await?;
            self.select(client, "pooling", 2, &kernel.to_string())
                .await?;
            self.select(client, "pooling", 3, &stride.to_string())
                .await?;
            let cells = client
                .execute(
                    &format!(r#"return Array.from(document.querySelectorAll('{w} [data-role="output"] tr')).map((tr) => Array.from(tr.children).map((td) => Number(td.dataset.value)))"#),
                    vec![],
                )
                .await?;
            self.check_close(
                &cells,
                &case["output"],
                &format!("pooling map {map}, {kind} {kernel}x{kernel} stride {stride}"),
            );
        }
        // Keyboard: focus an output value and press Enter to see its window.
        self.select(client, "pooling", 0, "0").await?;
        self.select(client, "pooling", 1, "max").await?;
        self.select(client, "pooling", 2, "2").await?;
        self.select(client, "pooling", 3, "2").await?;
        let cell = client
            .find(Locator::Css(&format!(
                r#"{w} [data-role="output"] td[data-row="1"][data-col="0"]"#
            )))
            .await?;
        cell.send_keys(&Key::Enter.to_string()).await?;
        let windows = client
            .execute(
                &format!(r#"return document.querySelectorAll('{w} td.widget-window').length"#),
                vec![],
            )
            .await?;
        let current = client
            .execute(&format!(r#"const c = document.querySelector('{w} [data-role="output"] td.widget-current'); return [Number(c.dataset.row), Number(c.dataset.col)]"#), vec![])
            .await?;
        self.check(windows == json!(4) && current == json!([1, 0]), || {
            format!(
                "pooling: Enter on output (1, 0) shows {windows} window cells and selects {current}"
            )
        });
        self.screenshot_widget(client, w, "pooling-lecture.png")
            .await?;
        // The photo: edge map, pooled maps, and the change for every shift.
        self.select(client, "pooling", 0, "photo").await?;
        let state = self.state(client, "pooling").await?;
        self.check_close(
            &state["edges"],
            &expected["edges"],
            "pooling: the photo's edge map",
        );
        for case in expected["photo_cases"].as_array().context("photo cases")? {
            let (kind, kernel, stride) = (
                case["kind"].as_str().unwrap_or_default(),
                &case["kernel"],
                &case["stride"],
            );
            self.select(client, "pooling", 1, kind).await?;
            self.select(client, "pooling", 2, &kernel.to_string())
                .await?;
            self.select(client, "pooling", 3, &stride.to_string())
                .await?;
            let slider = client
                .find(Locator::Css(&format!(r#"{w} input[data-field="shift"]"#)))
                .await?;
            slider.send_keys(&Key::Home.to_string()).await?;
            let changes = case["changes"].as_array().context("changes")?;
            for (shift, change) in changes.iter().enumerate() {
                if shift > 0 {
                    slider.send_keys(&Key::Right.to_string()).await?;
                }
                let state = self.state(client, "pooling").await?;
                let what = format!(
                    "pooling the photo, {kind} {kernel}x{kernel} stride {stride}, shift {shift}"
                );
                self.check(state["shift"] == json!(shift), || {
                    format!("{what}: the slider is at {}", state["shift"])
                });
                self.check_close(
                    &state["change"],
                    change,
                    &format!("{what}: relative change"),
                );
                if shift == 0 {
                    self.check_close(
                        &state["before"],
                        &case["pooled"],
                        &format!("{what}: pooled map"),
                    );
                }
            }
        }
        self.select(client, "pooling", 1, "max").await?;
        self.select(client, "pooling", 2, "4").await?;
        self.select(client, "pooling", 3, "4").await?;
        self.screenshot_widget(client, w, "pooling-photo.png")
            .await?;
        println!("    pooling: checked");
        Ok(())
    }

    /// Chapter 3: receptive fields of every stack, and a stack built with the buttons.
    async fn receptive_field(&mut self, client: &Client) -> Result<()> {
        let data = self.widget_data("receptive_field")?;
        let w = r#".widget[data-widget="receptive-field"]"#;
        let stacks = data["stacks"].as_array().context("stacks")?.clone();
        for (index, stack) in stacks.iter().enumerate() {
            self.select(client, "receptive-field", 0, &index.to_string())
                .await?;
            let rows = self.field_rows(client, w).await?;
            self.check(rows == stack["fields"], || {
                format!(
                    "receptive field of {}: the table shows {rows}, cnn-core {}",
                    stack["name"], stack["fields"]
                )
            });
        }
        // Build the VGG stack with the buttons: conv conv pool conv conv pool conv conv.
        self.click(client, &format!(r#"{w} [data-action="clear"]"#))
            .await?;
        for action in [
            "conv", "conv", "pool", "conv", "conv", "pool", "conv", "conv",
        ] {
            self.click(client, &format!(r#"{w} [data-action="add-{action}"]"#))
                .await?;
        }
        let rows = self.field_rows(client, w).await?;
        self.check(rows == stacks[1]["fields"], || {
            format!(
                "receptive field built with the buttons: {rows}, cnn-core {}",
                stacks[1]["fields"]
            )
        });
        // LeNet-5 by typing kernel sizes: conv 5, pool, conv 5, pool.
        self.click(client, &format!(r#"{w} [data-action="clear"]"#))
            .await?;
        for action in ["conv", "pool", "conv", "pool"] {
            self.click(client, &format!(r#"{w} [data-action="add-{action}"]"#))
                .await?;
        }
        for layer in [1, 3] {
            self.type_into(
                client,
                &format!(r#"{w} input[data-input="layer {layer} kernel"]"#),
                "5",
            )
            .await?;
        }
        let rows = self.field_rows(client, w).await?;
        self.check(rows == stacks[3]["fields"], || {
            format!(
                "receptive field of LeNet-5 typed in: {rows}, cnn-core {}",
                stacks[3]["fields"]
            )
        });
        let first = client
            .find(Locator::Css(&format!(r#"{w} tr[data-field]"#)))
            .await?;
        first.send_keys(&Key::Tab.to_string()).await?;
        self.screenshot_widget(client, w, "receptive-field.png")
            .await?;
        println!("    receptive field: {} stacks checked", stacks.len());
        Ok(())
    }

    async fn field_rows(&self, client: &Client, w: &str) -> Result<Value> {
        Ok(client
            .execute(
                &format!(r#"return Array.from(document.querySelectorAll('{w} tr[data-field]')).map((tr) => [Number(tr.dataset.field), Number(tr.dataset.jump)])"#),
                vec![],
            )
            .await?)
    }

    /// The data file of a widget, `book/generated/widgets/<name>.js`, as JSON.
    fn widget_data(&self, name: &str) -> Result<Value> {
        let path = self.root.join(format!("book/generated/widgets/{name}.js"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let start = text
            .find(&format!("cnnBookData(\"{name}\", "))
            .context("a data file")?;
        let json = &text[start + name.len() + 16..];
        let json = json.trim_end().trim_end_matches(");");
        serde_json::from_str(json).with_context(|| format!("{} holds no JSON", path.display()))
    }

    /// Chapter 7: the forward pass on all 21 images and an uploaded one; the panels.
    async fn tiny_vgg(&mut self, client: &Client) -> Result<()> {
        let expected = self.expected("tiny_vgg")?;
        self.open(client, "ch07-tiny-vgg.html").await?;
        let w = r#".widget[data-widget="tiny-vgg"]"#;
        let mut largest = 0f64;
        for image in expected["images"].as_array().context("images")? {
            let name = image["name"].as_str().unwrap_or_default();
            let button = format!(r#"{w} button[data-image="{name}"]"#);
            if client.find_all(Locator::Css(&button)).await?.is_empty() {
                client
                    .find(Locator::Css(&format!(r#"{w} select[data-field="more"]"#)))
                    .await?
                    .select_by_value(name)
                    .await?;
            } else {
                self.click(client, &button).await?;
            }
            let state = self.state(client, "tiny-vgg").await?;
            self.check(state["image"] == json!(name), || {
                format!("Tiny VGG: chose {name}, shows {}", state["image"])
            });
            let difference = largest_difference(
                &numbers(&state["probabilities"]),
                &numbers(&image["probabilities"]),
            );
            largest = largest.max(difference);
            self.check_close(
                &state["probabilities"],
                &image["probabilities"],
                &format!("Tiny VGG, {name}: probabilities"),
            );
            let shown = client
                .execute(&format!(r#"return Array.from(document.querySelectorAll('{w} [data-role="softmax"] td[data-value]')).map((td) => Number(td.dataset.value))"#), vec![])
                .await?;
            self.check_close(
                &shown,
                &image["probabilities"],
                &format!("Tiny VGG, {name}: the softmax table"),
            );
        }
        println!(
            "    Tiny VGG: 21 images, largest probability difference from cnn-core {largest:e}"
        );
        // Every layer of the espresso image at the checked positions.
        self.click(client, &format!(r#"{w} button[data-image="espresso_1"]"#))
            .await?;
        let state = self.state(client, "tiny-vgg").await?;
        for check in expected["espresso_checks"].as_array().context("checks")? {
            let layer = state["layers"]
                .as_array()
                .and_then(|layers| layers.iter().find(|l| l["name"] == check["layer"]));
            let got = layer.and_then(|l| {
                let (h, w) = (l["h"].as_u64()?, l["w"].as_u64()?);
                let index = (check["channel"].as_u64()? * h + check["row"].as_u64()?) * w
                    + check["column"].as_u64()?;
                l["values"].get(index as usize).cloned()
            });
            let what = format!(
                "Tiny VGG, espresso, {} channel {} at ({}, {})",
                check["layer"], check["channel"], check["row"], check["column"]
            );
            self.check_close(&got.unwrap_or(Value::Null), &check["value"], &what);
        }
        // The dot product of conv_1_1, filter 0, at (31, 31), the chapter's worked pixel.
        self.click(
            client,
            &format!(r#"{w} button[data-layer="conv_1_1"][data-channel="0"]"#),
        )
        .await?;
        let detail = self.state(client, "tiny-vgg").await?["detail"].clone();
        let worked = expected["espresso_checks"]
            .as_array()
            .and_then(|checks| {
                checks
                    .iter()
                    .find(|c| c["layer"] == "conv_1_1" && c["channel"] == 0 && c["row"] == 31)
            })
            .cloned()
            .context("the check of conv_1_1 at (31, 31)")?;
        self.check(detail["row"] == 31 && detail["column"] == 31, || {
            format!("Tiny VGG: the detail is at {detail}")
        });
        self.check_close(
            &detail["sum"],
            &worked["value"],
            "Tiny VGG: the dot product of conv_1_1 filter 0 at (31, 31)",
        );
        // conv_2_2, last channel: move with the keys to the centre and compare.
        let last = expected["espresso_checks"]
            .as_array()
            .and_then(|checks| {
                checks
                    .iter()
                    .find(|c| c["layer"] == "conv_2_2" && c["channel"] == 9 && c["row"] == 13)
            })
            .cloned()
            .context("the check of conv_2_2")?;
        self.click(
            client,
            &format!(r#"{w} button[data-layer="conv_2_2"][data-channel="9"]"#),
        )
        .await?;
        let enlarged = client
            .find(Locator::Css(&format!(r#"{w} [data-role="enlarged"]"#)))
            .await?;
        let mut keys = String::new();
        for _ in 0..12 {
            keys.push_str(&Key::Up.to_string());
            keys.push_str(&Key::Left.to_string());
        }
        enlarged.send_keys(&keys).await?;
        let detail = self.state(client, "tiny-vgg").await?["detail"].clone();
        self.check(detail["row"] == 13 && detail["column"] == 13, || {
            format!("Tiny VGG: the keys moved the detail to {detail}")
        });
        self.check_close(
            &detail["sum"],
            &last["value"],
            "Tiny VGG: the dot product of conv_2_2 channel 9 at (13, 13)",
        );
        self.check_close(
            &detail["sum"],
            &detail["value"],
            "Tiny VGG: the dot product equals the map's value",
        );
        self.screenshot_widget(client, w, "tiny-vgg.png").await?;
        // A max-pooling map and a ReLU map explain themselves too.
        for layer in ["relu_1_2", "max_pool_2"] {
            self.click(
                client,
                &format!(r#"{w} button[data-layer="{layer}"][data-channel="3"]"#),
            )
            .await?;
            let detail = self.state(client, "tiny-vgg").await?["detail"].clone();
            self.check_close(
                &detail["sum"],
                &detail["value"],
                &format!("Tiny VGG: the explanation of {layer}"),
            );
        }
        self.screenshot_widget(
            client,
            &format!(r#"{w} [data-role="detail"]"#),
            "tiny-vgg-pool.png",
        )
        .await?;
        // Upload a 64x64 PNG: used as it is, so exactly cnn-core's numbers.
        let file = client
            .find(Locator::Css(&format!(r#"{w} input[data-field="photo"]"#)))
            .await?;
        let espresso = self.root.join("data/cnn-explainer/png/espresso_1.png");
        file.send_keys(&espresso.display().to_string()).await?;
        let state = self.wait_for_photo(client, 64).await?;
        let reference = expected["images"]
            .as_array()
            .and_then(|images| images.iter().find(|i| i["name"] == "espresso_1"))
            .context("espresso")?;
        self.check_close(
            &state["probabilities"],
            &reference["probabilities"],
            "Tiny VGG: an uploaded espresso_1.png",
        );
        // Upload a large photo: the canvas scales it with its own filter, so its pixels
        // differ from cnn-core's by a few steps of 1/255; the answer must be the same.
        let coffee = self.root.join("data/photos/coffee.png");
        file.send_keys(&coffee.display().to_string()).await?;
        let state = self.wait_for_photo(client, 600).await?;
        let reference = &expected["photo"];
        let input: Vec<f64> = numbers(&state["input"]).iter().map(|v| v * 255.0).collect();
        let bytes = numbers(&reference["pixels"]);
        let mean = input
            .iter()
            .zip(&bytes)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / bytes.len().max(1) as f64;
        let largest = largest_difference(&input, &bytes);
        let probabilities = numbers(&state["probabilities"]);
        let theirs = numbers(&reference["probabilities"]);
        let moved = largest_difference(&probabilities, &theirs);
        let top = |p: &[f64]| (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b]));
        println!(
            "    Tiny VGG: coffee.png scaled by the browser: pixels {mean:.2}/255 from cnn-core's \
             on average ({largest:.0} at most, at sharp edges), probabilities within {moved:.3}"
        );
        let close = mean <= 4.0 && moved <= 0.05 && top(&probabilities) == top(&theirs);
        self.check(close && input.len() == bytes.len(), || {
            format!(
                "Tiny VGG: the uploaded coffee.png: pixels {mean}/255 from cnn-core's on \
                 average, probabilities {probabilities:?}, cnn-core {theirs:?}"
            )
        });
        self.screenshot_widget(client, w, "tiny-vgg-upload.png")
            .await?;
        // A file that is not an image: a message in the widget, and the last answer stays.
        self.console(client).await?;
        let text = self.root.join("README.md");
        file.send_keys(&text.display().to_string()).await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            let status = client
                .execute(
                    &format!(
                        r#"return document.querySelector('{w} [data-role="status"]').textContent"#
                    ),
                    vec![],
                )
                .await?;
            let status = status.as_str().unwrap_or_default().to_string();
            let message = unreadable_photo_message(&self.edition);
            if status.starts_with(message) || Instant::now() > deadline {
                break status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        self.check(
            status.starts_with(unreadable_photo_message(&self.edition)),
            || format!("Tiny VGG: uploading README.md says `{status}`"),
        );
        let errors = self
            .console(client)
            .await?
            .into_iter()
            .filter(|(level, _)| level == "SEVERE")
            .count();
        self.check(errors == 0, || {
            format!("Tiny VGG: uploading README.md logged {errors} console errors")
        });
        Ok(())
    }

    /// Wait until the explorer shows an uploaded photo `width` pixels wide.
    async fn wait_for_photo(&self, client: &Client, width: u64) -> Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.state(client, "tiny-vgg").await?;
            // The photo's name as the explorer shows it (book/widgets/strings.js).
            let name = if self.edition.starts_with("zh-CN") {
                "你的照片"
            } else {
                "your photo"
            };
            if state["image"] == name && state["source"]["width"] == width {
                return Ok(state);
            }
            if Instant::now() > deadline {
                bail!(
                    "the explorer did not classify the uploaded photo within 20 s: {}",
                    state["image"]
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Chapter 4's quiz: start it, answer every question right (typed numbers and clicked
    /// choices, from the quiz file), and read the score.
    async fn quiz(&mut self, client: &Client) -> Result<()> {
        self.open(client, "ch04-output-size.html").await?;
        let path = self
            .root
            .join("book/generated")
            .join(&self.edition)
            .join("quizzes/ch04.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let quiz: toml::Table = text
            .parse()
            .with_context(|| format!("{} is not TOML", path.display()))?;
        let questions = quiz["questions"].as_array().cloned().unwrap_or_default();
        let q = ".quiz-placeholder";
        self.screenshot_widget(client, q, "quiz-start.png").await?;
        client
            .find(Locator::XPath(
                "//div[contains(@class,'quiz-placeholder')]//button[normalize-space()='Start']",
            ))
            .await?
            .click()
            .await?;
        for (index, question) in questions.iter().enumerate() {
            let answer = question["answer"]["answer"].as_str().unwrap_or_default();
            if question["type"].as_str() == Some("ShortAnswer") {
                let field = client
                    .find(Locator::Css(&format!("{q} input[type=text]")))
                    .await?;
                field.send_keys(&format!("{answer}{}", Key::Enter)).await?;
            } else {
                let marked = client
                    .execute(
                        &format!(r#"const labels = Array.from(document.querySelectorAll('{q} label'));
                           const right = labels.find((l) => l.innerText.trim() === arguments[0].trim());
                           if (right) right.setAttribute("data-answer", "yes");
                           return Boolean(right)"#),
                        vec![json!(answer)],
                    )
                    .await?;
                if marked != json!(true) {
                    self.check(false, || {
                        format!("quiz question {}: no choice reads `{answer}`", index + 1)
                    });
                    return Ok(());
                }
                if index == 1 {
                    self.screenshot_widget(client, q, "quiz-question.png")
                        .await?;
                }
                self.click(client, &format!(r#"{q} label[data-answer="yes"]"#))
                    .await?;
                self.click(client, &format!("{q} input[type=submit]"))
                    .await?;
            }
        }
        let summary = client
            .execute(
                &format!("return document.querySelector('{q}').innerText"),
                vec![],
            )
            .await?;
        let expected = format!(
            "You answered {}/{} questions correctly",
            questions.len(),
            questions.len()
        );
        let summary = summary.as_str().unwrap_or_default().replace('\n', " ");
        self.check(summary.contains(&expected), || {
            format!("chapter 4's quiz answered from its file does not say `{expected}`: {summary}")
        });
        self.screenshot_widget(client, q, "quiz-review.png").await?;
        println!("    quiz: {} questions answered", questions.len());
        Ok(())
    }
}

/// Returns how wide the document and the text column are, and the elements that reach
/// past the window's right edge without a scrolling container of their own inside the text
/// (a table's wrapper, an equation, a code block, a widget's scrolling part).
const OVERFLOW_SCRIPT: &str = r#"
const width = window.innerWidth;
const main = document.querySelector("main");
const fits = (element) => {
  for (let a = element.parentElement; a && a !== main; a = a.parentElement) {
    const overflow = getComputedStyle(a).overflowX;
    if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") {
      return a.getBoundingClientRect().right <= width + 1;
    }
  }
  return false;
};
const elements = [];
for (const element of main.querySelectorAll("*")) {
  const rect = element.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) continue;
  if (rect.right > width + 1 && !fits(element)) {
    elements.push(element.tagName.toLowerCase() + "." + element.className + ": " + (element.textContent || "").slice(0, 40));
    if (elements.length >= 5) break;
  }
}
const column = main.parentElement;
return {
  document: document.documentElement.scrollWidth,
  content: column.scrollWidth,
  contentVisible: column.clientWidth,
  elements,
};
"#;
