fn main() {
    println!("darksens: command-line interface under construction");
}
