//! What guards authentication besides the token itself: how long new tokens live, the limit
//! on failed bearer-token attempts per source address (answered 429 with `Retry-After` until
//! the window passes), and how sessions last, when an account is locked and whether the
//! session cookie is `Secure`. `docs/security.md` explains the choices.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use chrono::{DateTime, TimeDelta, Utc};
use notoneless_store::sessions::SessionPolicy;

/// The settings of [`Security`]; `notoneless serve` sets them from its flags. A test
/// application gets the defaults from [`crate::app`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityConfig {
    /// How long a token issued through the API lives when the request does not say.
    pub token_lifetime: TimeDelta,
    /// Failed bearer-token attempts from one source within [`Self::failure_window`] after
    /// which the source is refused (429) until the window has passed.
    pub failure_limit: u32,
    /// The window, counted from a source's first failure.
    pub failure_window: TimeDelta,
    /// Reverse proxies whose `X-Forwarded-For` is believed. A request from anywhere else is
    /// attributed to its peer address, whatever header it carries.
    pub trusted_proxies: Vec<IpAddr>,
    /// The most sources tracked at once (memory stays bounded: the oldest are forgotten).
    pub max_sources: usize,
    /// How long sessions last, and after how many wrong passwords an account is locked.
    pub sessions: SessionPolicy,
    /// The session cookie is `Secure` (sent only over HTTPS): the server is reached through a
    /// proxy that terminates TLS (`serve --behind-tls-proxy`).
    pub secure_cookies: bool,
}

/// The longest lifetime a token may be given, in days.
pub const MAX_TOKEN_LIFETIME_DAYS: i64 = 365;

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            token_lifetime: notoneless_domain::DEFAULT_TOKEN_LIFETIME,
            failure_limit: 20,
            failure_window: TimeDelta::minutes(5),
            trusted_proxies: Vec::new(),
            max_sources: 10_000,
            sessions: SessionPolicy::default(),
            secure_cookies: false,
        }
    }
}

/// Where a request comes from, for the failure limit: the peer's address, or, when the peer
/// is a trusted proxy, the nearest address in `X-Forwarded-For` that is not one. IPv6
/// addresses are taken by their /64, the block one customer usually holds.
pub fn source_of(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())?;
    let mut source = peer;
    if trusted.contains(&peer) {
        let forwarded: Vec<IpAddr> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        // The proxies append: the rightmost address not of a trusted proxy is the client's.
        if let Some(client) = forwarded.iter().rev().find(|a| !trusted.contains(a)) {
            source = *client;
        }
    }
    Some(bucket(source))
}

fn bucket(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        },
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    since: DateTime<Utc>,
}

/// The authentication guards shared by every request: the settings and the failure table.
#[derive(Debug, Default)]
pub struct Security {
    pub config: SecurityConfig,
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

/// A source refused until this many seconds have passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl Security {
    pub fn new(config: SecurityConfig) -> Self {
        Self {
            config,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Failures>> {
        match self.failures.lock() {
            Ok(table) => table,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn retry_after(&self, failures: &Failures, now: DateTime<Utc>) -> Option<RetryAfter> {
        let until = failures.since + self.config.failure_window;
        if failures.count < self.config.failure_limit || now >= until {
            return None;
        }
        let millis = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
        Some(RetryAfter(millis.div_ceil(1000).max(1)))
    }

    /// Whether `source` is refused at `now`, and for how long.
    pub fn refused(&self, source: IpAddr, now: DateTime<Utc>) -> Option<RetryAfter> {
        let table = self.table();
        let failures = table.get(&source)?;
        self.retry_after(failures, now)
    }

    /// Counts a failed attempt from `source`; says whether the source is now refused.
    pub fn failed(&self, source: IpAddr, now: DateTime<Utc>) -> Option<RetryAfter> {
        let window = self.config.failure_window;
        let mut table = self.table();
        if !table.contains_key(&source) && table.len() >= self.config.max_sources {
            table.retain(|_, f| now < f.since + window);
            if table.len() >= self.config.max_sources
                && let Some(oldest) = table.iter().min_by_key(|(_, f)| f.since).map(|(a, _)| *a)
            {
                table.remove(&oldest);
            }
        }
        let failures = table.entry(source).or_insert(Failures {
            count: 0,
            since: now,
        });
        if now >= failures.since + window {
            *failures = Failures {
                count: 0,
                since: now,
            };
        }
        failures.count = failures.count.saturating_add(1);
        let failures = *failures;
        drop(table);
        self.retry_after(&failures, now)
    }

    /// How many sources are tracked now.
    pub fn tracked_sources(&self) -> usize {
        self.table().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(limit: u32, max_sources: usize) -> SecurityConfig {
        SecurityConfig {
            failure_limit: limit,
            failure_window: TimeDelta::seconds(60),
            max_sources,
            ..SecurityConfig::default()
        }
    }

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(1_700_000_000 + seconds)
    }

    #[test]
    fn a_source_is_refused_after_the_limit_until_the_window_passes() {
        let security = Security::new(config(3, 100));
        let source: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(security.failed(source, t(0)), None);
        assert_eq!(security.failed(source, t(1)), None);
        assert_eq!(security.failed(source, t(2)), Some(RetryAfter(58)));
        assert_eq!(security.refused(source, t(30)), Some(RetryAfter(30)));
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            security.refused(other, t(30)),
            None,
            "another source is not"
        );
        assert_eq!(
            security.refused(source, t(60)),
            None,
            "the window has passed"
        );
        assert_eq!(
            security.failed(source, t(61)),
            None,
            "and the count starts again"
        );
    }

    #[test]
    fn the_table_of_sources_stays_within_its_bound() {
        let security = Security::new(config(3, 50));
        for i in 0..1_000u32 {
            let source = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            security.failed(source, t(i64::from(i)));
            assert!(security.tracked_sources() <= 50);
        }
        // The newest sources are the ones still tracked.
        let newest = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + 999));
        security.failed(newest, t(1_000));
        assert_eq!(security.failed(newest, t(1_001)), Some(RetryAfter(58)));
    }

    #[test]
    fn ipv6_sources_are_counted_by_their_64_bit_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(bucket(a), bucket(b));
        assert_ne!(bucket(a), bucket(c));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(bucket(mapped), "10.1.2.3".parse::<IpAddr>().unwrap());
    }

    fn parts(peer: &str, forwarded: Option<&str>) -> Parts {
        let mut request = axum::http::Request::builder();
        if let Some(f) = forwarded {
            request = request.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let peer: SocketAddr = peer.parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    #[test]
    fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let from_proxy = parts("10.0.0.9:5000", Some("1.2.3.4, 5.6.7.8"));
        assert_eq!(
            source_of(&from_proxy, &[proxy]),
            Some("5.6.7.8".parse().unwrap()),
            "the rightmost address the proxy added"
        );
        assert_eq!(
            source_of(&from_proxy, &[]),
            Some(proxy),
            "without the setting, the peer"
        );
        let spoofed = parts("203.0.113.5:5000", Some("1.2.3.4"));
        assert_eq!(
            source_of(&spoofed, &[proxy]),
            Some("203.0.113.5".parse().unwrap()),
            "a client's own header is not believed"
        );
    }
}
