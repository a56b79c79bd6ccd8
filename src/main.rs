fn main() -> std::process::ExitCode {
    wif_doctor::cli::main()
}
