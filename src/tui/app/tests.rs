use super::*;
use crate::cli::Cli;
use crate::settings::EnvMap;
use clap::Parser;
use crossterm::event::KeyEventState;

fn session(extra: &[&str]) -> Arc<Session> {
    let mut args = vec!["wif-doctor", "--sysroot", "/nonexistent-wif-doctor-root"];
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(args).expect("arguments parse");
    let settings = Settings::resolve(&cli.settings, &EnvMap::new()).expect("settings resolve");
    Arc::new(Session::new(settings).expect("session"))
}

fn complete() -> Arc<Session> {
    session(&[
        "--project-number",
        "123456789012",
        "--pool",
        "azure-pool",
        "--provider",
        "azure-mi",
        "--identity-endpoint",
        "http://127.0.0.1:9/msi/token",
        "--identity-header",
        "header-value-for-tests",
    ])
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

#[test]
fn digits_tab_and_arrows_move_between_steps() {
    let mut app = App::new(complete(), 0);
    assert_eq!(app.step, Step::Environment);
    app.update(ch('3'));
    assert_eq!(app.step, Step::Values);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.step, Step::Config);
    app.update(key(KeyCode::Right));
    assert_eq!(app.step, Step::Test);
    app.update(key(KeyCode::Left));
    app.update(key(KeyCode::BackTab));
    assert_eq!(app.step, Step::Values);
    app.update(ch('1'));
    app.update(key(KeyCode::Left));
    assert_eq!(
        app.step,
        Step::Report,
        "moving left from the first step wraps"
    );
    app.update(ch('9'));
    assert_eq!(app.step, Step::Report, "no step 9");
}

#[test]
fn quit_keys_and_key_releases() {
    for action in [
        ch('q'),
        key(KeyCode::Esc),
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    ] {
        let mut app = App::new(complete(), 0);
        let fx = app.update(action);
        assert!(matches!(fx.as_slice(), [Effect::Quit]));
        assert!(app.quit);
    }
    let mut app = App::new(complete(), 0);
    let release = KeyEvent {
        code: KeyCode::Char('2'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    };
    app.update(Action::Key(release));
    assert_eq!(app.step, Step::Environment, "only presses count");
}

#[test]
fn start_fetches_and_runs_checks_and_stale_results_are_dropped() {
    let mut app = App::new(complete(), 0);
    let fx = app.start();
    assert!(matches!(
        fx.as_slice(),
        [Effect::RunChecks {
            generation: 1,
            token: None
        }]
    ));
    assert!(app.busy());
    // `t` while running does not start a second run.
    assert!(app.update(ch('t')).is_empty());
    assert_eq!(app.step, Step::Test);

    app.update(Action::Check {
        generation: 1,
        event: Event::Started(CheckId::StsExchange),
    });
    assert!(app.running.contains(&CheckId::StsExchange));
    // A re-run starts generation 2; a late event from run 1 is ignored.
    let fx = app.update(ch('r'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::RunChecks {
            generation: 2,
            token: None
        }]
    ));
    assert!(app.running.is_empty());
    app.update(Action::Check {
        generation: 1,
        event: Event::Finished(Finding::pass(CheckId::StsExchange, "old")),
    });
    assert!(app.findings.is_empty());
    app.update(Action::ChecksDone {
        generation: 2,
        report: Report::from_findings(vec![Finding::pass(CheckId::AzureSource, "ok")]),
    });
    assert!(!app.checks_running);
    assert!(app.checks_ran);
    assert_eq!(app.findings.len(), 1);
}

#[test]
fn edit_validates_as_you_type_and_enter_applies() {
    let mut app = App::new(complete(), 0);
    app.update(ch('e'));
    assert!(matches!(
        app.overlay,
        Overlay::Edit(Edit { buffer: None, .. })
    ));
    // project number, project id, pool
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    let Overlay::Edit(e) = &app.overlay else {
        panic!("editing")
    };
    assert_eq!(Field::ALL[e.field], Field::Pool);
    assert_eq!(e.buffer.as_deref(), Some("azure-pool"));

    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut app, "Bad");
    let Overlay::Edit(e) = &app.overlay else {
        panic!("editing")
    };
    assert!(e.error.as_deref().unwrap().contains("lowercase"), "{e:?}");
    // Enter with an invalid value applies nothing.
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(matches!(app.overlay, Overlay::Edit(_)));

    for _ in 0..3 {
        app.update(key(KeyCode::Backspace));
    }
    type_text(&mut app, "other-pool");
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(app.overlay, Overlay::None);
    let [Effect::Rebuild { settings, refetch }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(!refetch, "a Google setting does not need a new token");
    let pool = settings.pool.as_ref().unwrap();
    assert_eq!(pool.value, "other-pool");
    assert_eq!(pool.origin, Origin::Edited);
}

#[test]
fn project_number_must_be_digits() {
    assert!(Field::ProjectNumber.validate("123").is_ok());
    assert!(Field::ProjectNumber.validate("demo-project").is_err());
    assert!(Field::ClientId.validate("").is_ok());
    assert!(
        Field::ClientId
            .validate("0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d")
            .is_ok()
    );
    assert!(Field::ClientId.validate("not-a-guid").is_err());
    assert!(Field::Resource.validate("").is_err());
    assert!(
        Field::ServiceAccount
            .validate("sa@p.iam.gserviceaccount.com")
            .is_ok()
    );
    assert!(Field::ServiceAccount.validate("sa").is_err());
}

#[test]
fn resource_change_refetches_then_reruns_the_checks() {
    let mut app = App::new(complete(), 0);
    app.update(ch('e'));
    let resource = Field::ALL
        .iter()
        .position(|f| *f == Field::Resource)
        .unwrap();
    for _ in 0..resource {
        app.update(key(KeyCode::Down));
    }
    app.update(key(KeyCode::Enter));
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    // Pasted text arrives whole (trailing newline dropped).
    app.update(Action::Paste("api://my-app\n".into()));
    let fx = app.update(key(KeyCode::Enter));
    let [Effect::Rebuild { settings, refetch }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(*refetch);
    assert_eq!(settings.resource.value, "api://my-app");
    let rebuilt = Arc::new(Session::new((**settings).clone()).unwrap());
    let fx = app.update(Action::SessionRebuilt {
        result: Ok(rebuilt),
        refetch: true,
    });
    assert!(matches!(
        fx.as_slice(),
        [Effect::RunChecks { token: None, .. }]
    ));
    assert_eq!(app.session.settings.resource.value, "api://my-app");
}

#[test]
fn esc_cancels_an_edit() {
    let mut app = App::new(complete(), 0);
    app.update(ch('e'));
    app.update(key(KeyCode::Enter));
    type_text(&mut app, "999");
    assert!(app.update(key(KeyCode::Esc)).is_empty());
    assert!(matches!(
        app.overlay,
        Overlay::Edit(Edit { buffer: None, .. })
    ));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(
        app.session.settings.project_number.as_ref().unwrap().value,
        "123456789012"
    );
}

#[test]
fn write_config_asks_for_a_path_and_confirms_replacing() {
    let mut app = App::new(session(&[]), 0);
    assert!(app.update(ch('w')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.toast.as_deref().unwrap().contains("needs"));

    let mut app = App::new(complete(), 0);
    app.update(ch('w'));
    assert_eq!(app.step, Step::Config);
    assert!(matches!(&app.overlay, Overlay::Path(p) if p.kind == FileKind::Config));
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut app, "/tmp/x.json");
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::WriteConfig { path, replace: false, .. }] if path == "/tmp/x.json")
    );

    app.update(Action::FileWritten {
        kind: FileKind::Config,
        result: Err(WriteError {
            path: "/tmp/x.json".into(),
            exists: true,
            message: "exists".into(),
        }),
    });
    assert!(matches!(&app.overlay, Overlay::Path(p) if p.replace));
    let fx = app.update(key(KeyCode::Enter));
    assert!(matches!(
        fx.as_slice(),
        [Effect::WriteConfig { replace: true, .. }]
    ));

    let fx = app.update(Action::FileWritten {
        kind: FileKind::Config,
        result: Ok(Written {
            path: "/tmp/x.json".into(),
            outcome: crate::files::WriteOutcome::Replaced,
        }),
    });
    // The written file becomes the one the checks lint.
    let [
        Effect::Rebuild {
            settings,
            refetch: false,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        settings.credentials.as_ref().unwrap().value,
        PathBuf::from("/tmp/x.json")
    );
    assert!(
        app.exit_summary()
            .contains("GOOGLE_APPLICATION_CREDENTIALS=/tmp/x.json")
    );
}

fn chooser(app: &App) -> &Chooser {
    match &app.overlay {
        Overlay::Chooser(c) => c,
        other => panic!("no chooser: {other:?}"),
    }
}

/// The one `PrintPlain` in `fx`: its title and lines.
fn printed(fx: &[Effect]) -> (&str, &[String]) {
    match fx {
        [Effect::PrintPlain { title, lines }] => (title, lines),
        other => panic!("expected one PrintPlain: {other:?}"),
    }
}

#[test]
fn p_on_the_values_step_opens_a_chooser_on_the_principal_set() {
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    assert!(app.update(ch('p')).is_empty(), "nothing printed yet");
    let c = chooser(&app);
    assert_eq!(
        c.items,
        app.copyables(),
        "every value of the step, in order"
    );
    assert_eq!(c.all, app.copyables());
    let ps = &c.items[c.selected - 1];
    assert!(ps.value.starts_with("principalSet://"), "{ps:?}");
    assert!(!app.suspended);
    // Enter takes the highlighted principalSet: printed alone, label on the line above.
    let fx = app.update(key(KeyCode::Enter));
    let (title, lines) = printed(&fx);
    assert!(title.starts_with("PrincipalSet"), "{title}");
    assert_eq!(lines, [app.values.principal_set.clone(), String::new()]);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.suspended);
    assert!(app.update(ch('3')).is_empty(), "keys wait for Enter");
    assert!(matches!(
        app.update(key(KeyCode::Enter)).as_slice(),
        [Effect::Resume]
    ));
    assert!(!app.suspended);
    assert_eq!(app.step, Step::Values);
}

#[test]
fn chooser_picks_by_number_and_by_arrows() {
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    let items = app.copyables();
    let ps = 1 + items
        .iter()
        .position(|c| c.value == app.values.principal_set)
        .unwrap();
    assert!(ps < 10, "a one-digit number");

    // By number: the digit prints at once (no longer number starts with it).
    app.update(ch('p'));
    app.update(key(KeyCode::Up)); // move away first: the number wins, not the highlight
    let fx = app.update(ch(char::from(b'0' + ps as u8)));
    let (_, lines) = printed(&fx);
    assert_eq!(lines[0], app.values.principal_set);
    app.update(key(KeyCode::Enter));

    // By arrows: up to the value above, back down, Enter.
    app.update(ch('p'));
    app.update(key(KeyCode::Up));
    assert_eq!(chooser(&app).selected, ps - 1);
    assert!(items[ps - 2].value.starts_with("principal://"));
    app.update(key(KeyCode::Down));
    assert_eq!(chooser(&app).selected, ps);
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(printed(&fx).1[0], app.values.principal_set);
    app.update(key(KeyCode::Enter));

    // Arrows wrap: below the last value comes "all" (0), then the first value.
    app.update(ch('p'));
    app.update(key(KeyCode::End));
    app.update(key(KeyCode::Up));
    assert_eq!(chooser(&app).selected, items.len());
    app.update(key(KeyCode::Down));
    assert_eq!(chooser(&app).selected, 0);
    app.update(key(KeyCode::Down));
    assert_eq!(chooser(&app).selected, 1);
    app.update(key(KeyCode::Esc));
}

#[test]
fn chooser_entry_zero_prints_everything_as_before() {
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    app.update(ch('p'));
    let fx = app.update(ch('0'));
    let (title, lines) = printed(&fx);
    assert_eq!(title, "wif-doctor: Google values");
    for c in app.copyables() {
        assert!(lines.contains(&format!("{}:", c.label)), "{}", c.label);
        for l in c.value.lines() {
            assert!(lines.iter().any(|x| x == l), "{l}");
        }
    }
    // Each one-line value alone on its line, never joined to its label.
    assert!(lines.contains(&app.values.principal_set));
}

#[test]
fn chooser_numbers_above_nine_take_two_digits() {
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    let items = app.copyables();
    assert!(
        items.len() >= 10,
        "the values step has {} values",
        items.len()
    );
    app.update(ch('p'));
    // `1` could start 10..: it highlights 1 and waits.
    assert!(app.update(ch('1')).is_empty());
    assert_eq!(chooser(&app).selected, 1);
    let fx = app.update(ch('0'));
    assert_eq!(printed(&fx).0, format!("{}:", items[9].label));
    app.update(key(KeyCode::Enter));

    // `1` then Enter prints value 1.
    app.update(ch('p'));
    app.update(ch('1'));
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(printed(&fx).1[0], items[0].value);
    app.update(key(KeyCode::Enter));

    // A number beyond the list starts over from its last digit.
    app.update(ch('p'));
    app.update(ch('1'));
    let fx = app.update(ch('9'));
    assert_eq!(printed(&fx).0, format!("{}:", items[8].label));
}

#[test]
fn chooser_esc_and_q_cancel_and_digits_do_not_change_step() {
    for cancel in [key(KeyCode::Esc), ch('q')] {
        let mut app = App::new(complete(), 0);
        app.update(ch('3'));
        app.update(ch('p'));
        app.update(key(KeyCode::Down));
        assert!(app.update(cancel).is_empty());
        assert_eq!(app.overlay, Overlay::None);
        assert!(!app.quit, "q closes the chooser, not the wizard");
        assert!(!app.suspended);
        assert_eq!(app.toast.as_deref(), Some("nothing printed"));
    }
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    app.update(ch('p'));
    app.update(ch('1'));
    assert_eq!(app.step, Step::Values, "a digit picks a value, not a step");
    // Paste is not a pick.
    app.update(Action::Paste("5".into()));
    assert_eq!(chooser(&app).selected, 1);
}

#[test]
fn a_single_value_prints_at_once_and_none_says_so() {
    let mut app = App::new(complete(), 0);
    assert_eq!(
        app.copyables().len(),
        1,
        "the environment step: one command"
    );
    let fx = app.update(ch('p'));
    let (title, lines) = printed(&fx);
    assert!(
        title.starts_with("az webapp config appsettings set"),
        "{title}"
    );
    assert_eq!(lines[0], app.appsettings_command());
    assert_eq!(app.overlay, Overlay::None);
    app.update(key(KeyCode::Enter));

    // The credential config step before a file is written: the (redacted) JSON alone.
    app.update(ch('4'));
    assert_eq!(app.copyables().len(), 1);
    let fx = app.update(ch('p'));
    let (title, lines) = printed(&fx);
    assert!(title.starts_with("credential configuration"), "{title}");
    assert_eq!(lines[0], "{");
    assert!(!lines.iter().any(|l| l.contains("header-value-for-tests")));
    app.update(key(KeyCode::Enter));

    app.update(ch('6'));
    assert!(app.update(ch('p')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.suspended);
    assert!(app.toast.as_deref().unwrap().contains("nothing to print"));
}

#[test]
fn fix_commands_are_the_backticked_spans_with_words() {
    let fix = "Allow it: `gcloud a b --x='y z'` (or see `sub`), then `gcloud c  d`.";
    assert_eq!(fix_commands(fix), ["gcloud a b --x='y z'", "gcloud c  d"]);
    assert!(fix_commands("Wait and retry.").is_empty());
    assert!(fix_commands("an `unclosed span").is_empty());
}

#[test]
fn printed_values_carry_no_control_characters() {
    let mut app = App::new(complete(), 0);
    app.update(Action::ChecksDone {
        generation: 0,
        report: Report::from_findings(vec![Finding::fail(
            CheckId::StsExchange,
            "x",
            "Run `gcloud x --y=\u{1b}[2J\u{7}z\tw`.",
        )]),
    });
    app.update(ch('5'));
    app.update(ch('p'));
    let fx = app.update(ch('1'));
    let (_, lines) = printed(&fx);
    assert_eq!(lines[0], "gcloud x --y=\\x1b[2J\\x07z\\tw");
}

#[test]
fn p_on_the_test_step_chooses_a_failing_checks_fix_command() {
    let mut app = App::new(complete(), 0);
    let cmd1 =
        "gcloud iam workload-identity-pools providers update-oidc p --allowed-audiences='api://x'";
    let cmd2 = "gcloud iam workload-identity-pools providers describe p --format=json";
    let fix = format!("Allow the audience: `{cmd1}` (this replaces the list). Or see `{cmd2}`.");
    app.update(Action::ChecksDone {
        generation: 0,
        report: Report::from_findings(vec![
            Finding::pass(CheckId::AzureSource, "ok"),
            Finding::fail(CheckId::StsExchange, "audience", fix.clone()),
            Finding::warn(CheckId::VertexCall, "slow", "Wait a few seconds and retry."),
        ]),
    });
    app.update(ch('5'));
    app.update(ch('p'));
    let c = chooser(&app);
    let values: Vec<&str> = c.items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(values, [cmd1, cmd2, "Wait a few seconds and retry."]);
    // Labelled by what sets the commands apart (they share their first words).
    assert_eq!(c.items[0].label, "update-oidc p (fix for sts.exchange)");
    assert_eq!(c.items[1].label, "describe p (fix for sts.exchange)");
    assert_eq!(c.items[2].label, "vertex.call: fix");
    assert_eq!(c.selected, 1);

    let fx = app.update(key(KeyCode::Enter));
    let (title, lines) = printed(&fx);
    assert_eq!(title, "update-oidc p (fix for sts.exchange):");
    assert_eq!(lines, [cmd1.to_string(), String::new()]);
    app.update(key(KeyCode::Enter));

    app.update(ch('p'));
    let fx = app.update(ch('2'));
    assert_eq!(printed(&fx).1[0], cmd2);
    app.update(key(KeyCode::Enter));

    // "all" prints each fix whole, under its check, as `p` always did.
    app.update(ch('p'));
    let fx = app.update(ch('0'));
    let (_, lines) = printed(&fx);
    assert!(
        lines.contains(&"fix for sts.exchange:".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&fix), "{lines:?}");
}

#[test]
fn copy_sends_the_principal_set_on_the_values_step() {
    let mut app = App::new(complete(), 0);
    app.update(ch('3'));
    let fx = app.update(ch('y'));
    assert!(matches!(fx.as_slice(), [Effect::Copy(v)] if v.starts_with("principalSet://")));
    assert!(app.toast.as_deref().unwrap().contains("OSC 52"));
}

#[test]
fn resize_below_the_minimum_is_too_small() {
    let mut app = App::new(complete(), 0);
    app.update(Action::Resize(59, 24));
    assert!(app.too_small());
    app.update(Action::Resize(60, 16));
    assert!(!app.too_small());
}

#[test]
fn help_overlay_closes_on_any_key() {
    let mut app = App::new(complete(), 0);
    app.update(ch('?'));
    assert_eq!(app.overlay, Overlay::Help);
    assert!(app.update(ch('q')).is_empty(), "q closes help, not the app");
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit);
}

#[test]
fn f_switches_the_form_on_the_config_step_and_the_write_follows_it() {
    use crate::gcp::executable::CredentialForm;
    // The executable form needs no identity endpoint or header in this shell.
    let mut app = App::new(
        session(&[
            "--project-number",
            "123456789012",
            "--pool",
            "azure-pool",
            "--provider",
            "azure-mi",
        ]),
        0,
    );
    assert_eq!(app.config_form, CredentialForm::Url);
    // Elsewhere f does nothing.
    app.update(ch('f'));
    assert_eq!(app.config_form, CredentialForm::Url);
    app.step = Step::Config;
    assert!(!app.config_missing().is_empty(), "url needs the endpoint");
    app.update(ch('f'));
    assert_eq!(app.config_form, CredentialForm::Executable);
    assert!(
        app.toast
            .as_deref()
            .unwrap()
            .contains("executable form selected")
    );
    assert!(app.config_missing().is_empty());
    let preview = app.executable_preview().unwrap();
    assert!(
        preview.contains("\"command\": \"/home/site/wif-doctor subject-token"),
        "{preview}"
    );
    app.update(ch('w'));
    type_text(&mut app, "");
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::WriteConfig { form: CredentialForm::Executable, program, .. }]
                if program == "/home/site/wif-doctor"
        ),
        "{fx:?}"
    );
    assert_eq!(app.written_form, CredentialForm::Executable);
    app.update(ch('f'));
    assert_eq!(app.config_form, CredentialForm::Url);
}
