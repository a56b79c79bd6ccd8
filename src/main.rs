fn main() {
    println!("wif-doctor: under construction");
}
