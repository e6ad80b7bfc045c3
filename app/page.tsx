export default function Home() {
  return <main>Pipewright</main>;
}
