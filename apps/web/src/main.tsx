import { createRoot } from "react-dom/client";
import { App } from "./app";
import { createApiClient } from "./lib/api-client";
import "./styles/app.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(<App client={createApiClient()} />);
