export default function Page() {
  return <p>Being built.</p>;
}
