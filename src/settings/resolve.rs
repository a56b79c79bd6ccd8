//! Turning flags, the environment and recovered app variables into [`Settings`].

use super::normalise::{check_header_value, check_request_url, normalise};
use super::recover::{self, Recovered};
use super::*;
use crate::i18n::Text;
use crate::msg;
use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::path::Path;

/// A snapshot of the process environment (a map, so tests can pass their own).
pub type EnvMap = BTreeMap<String, String>;

/// A setting that cannot be understood; reported as a usage error (exit 2).
#[derive(Debug)]
pub enum SettingsError {
    /// `what` names the setting as given (a flag or a variable), `value` is shown escaped.
    Invalid {
        what: String,
        /// The value as given (escaped), or a note that it is hidden.
        value: Text,
        why: Text,
    },
}

impl SettingsError {
    /// "invalid SETTING VALUE: WHY", in the reader's language.
    pub fn text(&self) -> Text {
        match self {
            SettingsError::Invalid { what, value, why } => msg!(
                "settings.error.invalid",
                what = what.clone(),
                value = value.clone(),
                why = why.clone()
            )
            .into(),
        }
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for SettingsError {}

/// Every variable the app's environment may supply.
const RECOVERABLE: &[&str] = &[
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "IMDS_ENDPOINT",
    "WEBSITE_SITE_NAME",
    "AZURE_CLIENT_ID",
    "AZURE_RESOURCE_URI",
    "AZURE_IMDS_API_VERSION",
    "AZURE_FEDERATED_TOKEN_FILE",
    "GCP_PROJECT_NUMBER",
    "GCP_PROJECT_ID",
    "GCP_WORKLOAD_IDENTITY_POOL_ID",
    "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
    "GCP_SERVICE_ACCOUNT",
    "GCP_LOCATION",
    "GCP_VERTEX_MODEL",
    "GCP_WORKLOAD_IDENTITY_TOKEN_URL",
    "GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN",
    "GCP_WORKLOAD_IDENTITY_SUBJECT_TOKEN_TYPE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
];

/// Azure's fixed DMI chassis asset tag; how the SDKs tell an Azure VM.
const AZURE_ASSET_TAG: &str = "7783-7084-3265-9085";

struct Lookup<'a> {
    env: &'a EnvMap,
    recovered: Recovered,
}

impl Lookup<'_> {
    /// [`Self::pick_raw`], normalised; the raw value is kept when it differed.
    fn pick(
        &self,
        flag: &Option<String>,
        flag_name: &str,
        vars: &[&str],
    ) -> Option<Sourced<String>> {
        self.pick_raw(flag, flag_name, vars).map(normalised)
    }

    fn pick_raw(
        &self,
        flag: &Option<String>,
        flag_name: &str,
        vars: &[&str],
    ) -> Option<Sourced<String>> {
        if let Some(v) = flag {
            return Some(Sourced::new(
                v.clone(),
                Origin::Flag {
                    flag: flag_name.into(),
                },
            ));
        }
        for var in vars {
            if let Some(v) = self.env.get(*var).filter(|v| !v.is_empty()) {
                return Some(Sourced::new(v.clone(), Origin::Env { var: (*var).into() }));
            }
        }
        for var in vars {
            if let Some((v, from)) = self.recovered.get(var) {
                return Some(Sourced::new(
                    v.to_string(),
                    Origin::Recovered {
                        var: (*var).into(),
                        from: from.to_string(),
                    },
                ));
            }
        }
        None
    }

    fn pick_or(
        &self,
        flag: &Option<String>,
        flag_name: &str,
        vars: &[&str],
        default: &str,
    ) -> Sourced<String> {
        self.pick(flag, flag_name, vars)
            .unwrap_or_else(|| Sourced::new(default.to_string(), Origin::Default))
    }
}

/// The value normalised once, for every consumer; the raw form kept when it differed.
pub fn normalised(s: Sourced<String>) -> Sourced<String> {
    let n = normalise(&s.value);
    if n.value == s.value {
        return s;
    }
    Sourced {
        value: n.value,
        raw: Some(s.value),
        origin: s.origin,
    }
}

/// How a setting is named in an error: as the user gave it.
pub fn setting_name(var: &str, origin: &Origin) -> String {
    match origin {
        Origin::Flag { flag } => flag.clone(),
        Origin::Env { var } => var.clone(),
        Origin::Recovered { var, from } => format!("{var} (recovered from {from})"),
        _ => var.to_string(),
    }
}

fn secret(s: Option<Sourced<String>>) -> Option<Sourced<Secret>> {
    s.map(|s| Sourced {
        value: Secret::new(s.value),
        origin: s.origin,
        raw: s.raw.map(Secret::new),
    })
}

impl Settings {
    /// Resolve all settings. Reads `/proc/*/environ` and `/etc/profile` under the sysroot
    /// only for variables the shell lacks.
    pub fn resolve(args: &SettingsArgs, env: &EnvMap) -> Result<Settings, SettingsError> {
        let root = args
            .sysroot
            .clone()
            .or_else(|| env.get("WIF_DOCTOR_SYSROOT").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/"));
        let missing: Vec<&str> = RECOVERABLE
            .iter()
            .copied()
            .filter(|v| env.get(*v).is_none_or(|x| x.is_empty()))
            .collect();
        let recovered = recover::recover(&root, env, &missing);
        let l = Lookup { env, recovered };

        let selector_of = |s: Sourced<String>, make: fn(String) -> IdentitySelector| Sourced {
            value: make(s.value),
            origin: s.origin,
            raw: s.raw.map(make),
        };
        let selector = if args.object_id.is_some() {
            l.pick(&args.object_id, "--object-id", &[])
                .map(|s| selector_of(s, IdentitySelector::ObjectId))
        } else if args.msi_resource_id.is_some() {
            l.pick(&args.msi_resource_id, "--msi-resource-id", &[])
                .map(|s| selector_of(s, IdentitySelector::ResourceId))
        } else {
            l.pick(&args.client_id, "--client-id", &["AZURE_CLIENT_ID"])
                .map(|s| selector_of(s, IdentitySelector::ClientId))
        };

        // The legacy pair is only an alias when the current pair is absent.
        let identity_endpoint = l.pick(
            &args.identity_endpoint,
            "--identity-endpoint",
            &["IDENTITY_ENDPOINT"],
        );
        let identity_header = secret(l.pick(
            &args.identity_header,
            "--identity-header",
            &["IDENTITY_HEADER"],
        ));
        let msi_endpoint = l.pick(&None, "", &["MSI_ENDPOINT"]);
        let msi_secret = secret(l.pick(&None, "", &["MSI_SECRET"]));

        let timeout = match args
            .timeout
            .as_deref()
            .or(env.get("WIF_DOCTOR_TIMEOUT").map(String::as_str))
        {
            Some(t) => parse_duration(t).map_err(|why| SettingsError::Invalid {
                what: "timeout".into(),
                value: t.into(),
                why,
            })?,
            None => DEFAULT_TIMEOUT,
        };

        let mut resolve = Vec::new();
        for spec in args.resolve.iter().map(String::as_str).chain(
            env.get("WIF_DOCTOR_RESOLVE")
                .map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        ) {
            resolve.push(parse_resolve(spec)?);
        }

        let source = args
            .source
            .as_deref()
            .or(env.get("WIF_DOCTOR_SOURCE").map(String::as_str))
            .map(|v| normalise(v).value);
        let source = match source.as_deref() {
            None | Some("auto") => SourceChoice::Auto,
            Some("app-service") => SourceChoice::AppService,
            Some("msi-legacy") => SourceChoice::MsiLegacy,
            Some("imds") => SourceChoice::Imds,
            Some("aks") => SourceChoice::Aks,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    what: "source".into(),
                    value: other.into(),
                    why: msg!(
                        "settings.error.source",
                        choices = "auto, app-service, msi-legacy, imds, aks"
                    )
                    .into(),
                });
            }
        };

        let present = |var: &str| env.contains_key(var) || l.recovered.get(var).is_some();
        let environment = Environment {
            app_service_site: l.pick(&None, "", &["WEBSITE_SITE_NAME"]).map(|s| s.value),
            kudu: env.keys().any(|k| k.starts_with("KUDU_")),
            azure_vm: read_trimmed(&root.join("sys/class/dmi/id/chassis_asset_tag")).as_deref()
                == Some(AZURE_ASSET_TAG),
            service_fabric: present("IDENTITY_SERVER_THUMBPRINT"),
            arc: present("IMDS_ENDPOINT"),
            recovered: l
                .recovered
                .vars
                .iter()
                .map(|(k, (_, from))| (k.clone(), from.to_string()))
                .collect(),
            recovered_sources: l
                .recovered
                .vars
                .iter()
                .map(|(k, (_, from))| (k.clone(), from.clone()))
                .collect(),
        };

        let settings = Settings {
            project_number: l.pick(
                &args.project_number,
                "--project-number",
                &["GCP_PROJECT_NUMBER"],
            ),
            pool: l.pick(&args.pool, "--pool", &["GCP_WORKLOAD_IDENTITY_POOL_ID"]),
            provider: l.pick(
                &args.provider,
                "--provider",
                &["GCP_WORKLOAD_IDENTITY_PROVIDER_ID"],
            ),
            project_id: l.pick(&args.project_id, "--project-id", &["GCP_PROJECT_ID"]),
            service_account: l.pick(
                &args.service_account,
                "--service-account",
                &["GCP_SERVICE_ACCOUNT"],
            ),
            location: l.pick_or(
                &args.location,
                "--location",
                &["GCP_LOCATION"],
                DEFAULT_LOCATION,
            ),
            model: l.pick_or(&args.model, "--model", &["GCP_VERTEX_MODEL"], DEFAULT_MODEL),
            token_url: l.pick_or(
                &args.token_url,
                "--token-url",
                &["GCP_WORKLOAD_IDENTITY_TOKEN_URL"],
                DEFAULT_TOKEN_URL,
            ),
            universe_domain: l.pick_or(
                &args.universe_domain,
                "--universe-domain",
                &["GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN"],
                DEFAULT_UNIVERSE_DOMAIN,
            ),
            subject_token_type: l.pick_or(
                &args.subject_token_type,
                "--subject-token-type",
                &["GCP_WORKLOAD_IDENTITY_SUBJECT_TOKEN_TYPE"],
                DEFAULT_SUBJECT_TOKEN_TYPE,
            ),
            credentials: l
                .pick_raw(
                    &args.credentials.as_ref().map(|p| p.display().to_string()),
                    "--credentials",
                    &["GOOGLE_APPLICATION_CREDENTIALS"],
                )
                .map(|s| Sourced::new(PathBuf::from(s.value), s.origin)),
            resource: l.pick_or(
                &args.resource,
                "--resource",
                &["AZURE_RESOURCE_URI"],
                DEFAULT_RESOURCE,
            ),
            api_version: l.pick_or(
                &args.api_version,
                "--api-version",
                &["AZURE_IMDS_API_VERSION"],
                DEFAULT_API_VERSION,
            ),
            selector,
            identity_endpoint,
            identity_header,
            msi_endpoint,
            msi_secret,
            imds_endpoint: l.pick_or(
                &args.imds_endpoint,
                "--imds-endpoint",
                &["AZURE_IMDS_ENDPOINT"],
                DEFAULT_IMDS_ENDPOINT,
            ),
            federated_token_file: l
                .pick_raw(&None, "", &["AZURE_FEDERATED_TOKEN_FILE"])
                .map(|s| Sourced::new(PathBuf::from(s.value), s.origin)),
            allow_executables: l.pick(&None, "", &["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"]),
            source,
            resolve,
            timeout,
            extra_roots_pem: Vec::new(),
            sysroot: root.clone(),
            environment,
        };
        settings.check_requestable()?;
        Ok(settings)
    }

    /// Settings that cannot form a request at all are usage errors naming the setting:
    /// endpoints that are not http(s) URLs (or are too long), header values with control
    /// characters. Whether a well-formed endpoint is *safe* is `gcp.settings`' business.
    pub fn check_requestable(&self) -> Result<(), SettingsError> {
        let urls = [
            ("IDENTITY_ENDPOINT", self.identity_endpoint.as_ref()),
            ("MSI_ENDPOINT", self.msi_endpoint.as_ref()),
            ("AZURE_IMDS_ENDPOINT", Some(&self.imds_endpoint)),
            ("GCP_WORKLOAD_IDENTITY_TOKEN_URL", Some(&self.token_url)),
        ];
        for (var, s) in urls {
            if let Some(s) = s {
                check_request_url(&setting_name(var, &s.origin), &s.value)?;
            }
        }
        for (var, s) in [
            ("IDENTITY_HEADER", self.identity_header.as_ref()),
            ("MSI_SECRET", self.msi_secret.as_ref()),
        ] {
            if let Some(s) = s {
                check_header_value(&setting_name(var, &s.origin), s.value.expose())?;
            }
        }
        Ok(())
    }
}

fn read_trimmed(path: &Path) -> Option<String> {
    crate::files::read_capped_string(path, 4096, "the machine's DMI data")
        .ok()
        .map(|s| s.trim().to_string())
}

/// `10`, `10s`, `1500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, Text> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| Text::from(msg!("settings.error.duration_number")))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        // Debug-quoted: the value may carry control characters (it is echoed to a terminal).
        _ => {
            return Err(msg!("settings.error.duration_unit", unit = format!("{unit:?}")).into());
        }
    };
    if !(0.001..=3600.0).contains(&secs) {
        return Err(msg!("settings.error.duration_range").into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `HOST=ADDR:PORT`, like curl's `--resolve` (which spells it `HOST:PORT:ADDR`).
pub fn parse_resolve(spec: &str) -> Result<(String, SocketAddr), SettingsError> {
    let bad = |why: &'static str| SettingsError::Invalid {
        what: "--resolve".into(),
        value: spec.into(),
        why: crate::i18n::Msg::new(why).into(),
    };
    let (host, addr) = spec
        .split_once('=')
        .ok_or_else(|| bad("settings.error.resolve_shape"))?;
    let host = host.trim().to_ascii_lowercase();
    if host.is_empty() || host.contains(['/', ':']) {
        return Err(bad("settings.error.resolve_host"));
    }
    let addr: SocketAddr = match addr.trim().parse() {
        Ok(a) => a,
        Err(_) => addr
            .trim()
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| bad("settings.error.resolve_addr"))?,
    };
    Ok((host, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn empty_root() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn flag_beats_env_beats_default() {
        let root = empty_root();
        let args = SettingsArgs {
            pool: Some("flag-pool".into()),
            sysroot: Some(root.path().into()),
            ..Default::default()
        };
        let s = Settings::resolve(
            &args,
            &env(&[
                ("GCP_WORKLOAD_IDENTITY_POOL_ID", "env-pool"),
                ("GCP_WORKLOAD_IDENTITY_PROVIDER_ID", "env-prov"),
            ]),
        )
        .unwrap();
        assert_eq!(s.pool.as_ref().unwrap().value, "flag-pool");
        assert_eq!(
            s.pool.as_ref().unwrap().origin,
            Origin::Flag {
                flag: "--pool".into()
            }
        );
        assert_eq!(
            s.provider.as_ref().unwrap().origin,
            Origin::Env {
                var: "GCP_WORKLOAD_IDENTITY_PROVIDER_ID".into()
            }
        );
        assert_eq!(s.resource.value, DEFAULT_RESOURCE);
        assert!(s.resource.is_default());
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert!(
            !s.imds_allowed(),
            "IMDS must not be probed off Azure unless asked"
        );
    }

    #[test]
    fn recovered_values_fill_gaps_but_never_override_env() {
        let root = empty_root();
        std::fs::create_dir_all(root.path().join("proc/1")).unwrap();
        std::fs::write(
            root.path().join("proc/1/environ"),
            b"WEBSITE_SITE_NAME=app\0IDENTITY_ENDPOINT=http://169.254.129.4:8081/msi/token\0IDENTITY_HEADER=hdr\0GCP_PROJECT_NUMBER=1\0",
        )
        .unwrap();
        let args = SettingsArgs {
            sysroot: Some(root.path().into()),
            ..Default::default()
        };
        let s = Settings::resolve(&args, &env(&[("GCP_PROJECT_NUMBER", "2")])).unwrap();
        let ep = s.identity_endpoint.unwrap();
        assert_eq!(ep.value, "http://169.254.129.4:8081/msi/token");
        assert_eq!(
            ep.origin,
            Origin::Recovered {
                var: "IDENTITY_ENDPOINT".into(),
                from: "process 1, /proc/1/environ".into()
            }
        );
        assert_eq!(s.identity_header.unwrap().value.expose(), "hdr");
        assert_eq!(s.project_number.unwrap().value, "2");
    }

    #[test]
    fn values_are_normalised_once_and_the_raw_form_kept() {
        let root = empty_root();
        let args = SettingsArgs {
            pool: Some("azure-pool ".into()),
            location: Some(" us-central1".into()),
            sysroot: Some(root.path().into()),
            ..Default::default()
        };
        let s = Settings::resolve(
            &args,
            &env(&[
                (
                    "GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN",
                    "googleapis.com\r\n",
                ),
                ("IDENTITY_HEADER", "\"hdr\" "),
                ("GCP_PROJECT_NUMBER", "123"),
            ]),
        )
        .unwrap();
        let pool = s.pool.as_ref().unwrap();
        assert_eq!(pool.value, "azure-pool");
        assert_eq!(pool.raw.as_deref(), Some("azure-pool "));
        assert_eq!(s.location.value, "us-central1");
        assert_eq!(s.universe_domain.value, "googleapis.com");
        assert_eq!(s.identity_header.as_ref().unwrap().value.expose(), "hdr");
        assert_eq!(s.project_number.as_ref().unwrap().raw, None);
        let fields: Vec<_> = s.adjustments().iter().map(|a| a.field).collect();
        assert_eq!(
            fields,
            ["pool", "location", "universe_domain", "identity_header"]
        );
        let header = s.adjustments().pop().unwrap();
        assert!(!header.raw.en().contains("hdr"), "{header:?}");
    }

    #[test]
    fn values_that_cannot_form_a_request_are_usage_errors() {
        let root = empty_root();
        let args = SettingsArgs {
            sysroot: Some(root.path().into()),
            ..Default::default()
        };
        for (var, value) in [
            ("IDENTITY_HEADER", "a\r\nX-Evil: 1"),
            ("IDENTITY_ENDPOINT", "ftp://x/msi/token"),
            ("GCP_WORKLOAD_IDENTITY_TOKEN_URL", "not a url"),
            ("MSI_SECRET", "a\u{1b}b"),
        ] {
            let e = Settings::resolve(&args, &env(&[(var, value)])).unwrap_err();
            assert!(e.to_string().contains(var), "{e}");
            assert!(!e.to_string().contains("X-Evil"), "{e}");
        }
    }

    #[test]
    fn parses_resolve_and_timeout() {
        let (h, a) = parse_resolve("STS.googleapis.com=127.0.0.1:8443").unwrap();
        assert_eq!(h, "sts.googleapis.com");
        assert_eq!(a.port(), 8443);
        assert!(parse_resolve("sts.googleapis.com:443:127.0.0.1").is_err());
        assert!(parse_resolve("x=[::1]:9").is_ok());
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("3h").is_err());
        assert!(parse_duration("0").is_err());
    }

    /// Found by `fuzz/` (settings): the unknown unit was echoed raw, control characters
    /// and all, into a message printed on the operator's terminal.
    #[test]
    fn duration_errors_escape_the_unit() {
        let e = parse_duration("1\u{1b}]0;x\u{7}").unwrap_err();
        let e = e.en();
        assert!(!e.chars().any(char::is_control), "{e:?}");
        assert!(e.contains(r"\u{1b}"), "{e}");
        assert_eq!(
            parse_duration("3h").unwrap_err().en(),
            r#"unknown unit "h" (use ms, s or m)"#
        );
        let ja = parse_duration("3h")
            .unwrap_err()
            .render(crate::i18n::Lang::Ja);
        assert!(ja.contains(r#""h""#) && ja.contains("単位"), "{ja}");
    }

    #[test]
    fn azure_vm_is_detected_from_dmi() {
        let root = empty_root();
        std::fs::create_dir_all(root.path().join("sys/class/dmi/id")).unwrap();
        std::fs::write(
            root.path().join("sys/class/dmi/id/chassis_asset_tag"),
            "7783-7084-3265-9085\n",
        )
        .unwrap();
        let args = SettingsArgs {
            sysroot: Some(root.path().into()),
            ..Default::default()
        };
        let s = Settings::resolve(&args, &EnvMap::new()).unwrap();
        assert!(s.environment.azure_vm);
        assert!(s.imds_allowed());
    }
}
