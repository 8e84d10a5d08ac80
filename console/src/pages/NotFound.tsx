import { Link } from "../router";

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        No console page here. <Link to="/">Go to the dashboard</Link>.
      </p>
    </>
  );
}
